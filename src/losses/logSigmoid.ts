import * as tf from '@tensorflow/tfjs';

/**
 * log sigma(z) = -softplus(-z), elementwise and stable for large |z|. Written this way
 * because tf.logSigmoid's gradient crashed on an intermediate tensor in tfjs 4.22 (wasm).
 */
export function logSigmoid(z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.neg(tf.softplus(tf.neg(z))));
}
