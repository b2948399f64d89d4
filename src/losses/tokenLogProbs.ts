import * as tf from '@tensorflow/tfjs';

/**
 * log p(targets_t | ...) for each position, (B, T), from logits (B, T, V) and targets
 * (B, T) int32: sum_v oneHot(targets)_v * logSoftmax(logits)_v. Written with a one-hot
 * product rather than gather so that its gradient needs no UnsortedSegmentSum (which the
 * wasm backend lacks); the one-hot costs one more (B, T, V) tensor, like the logits.
 */
export function tokenLogProbs(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const vocabSize = logits.shape[2];
    const logProbs = tf.logSoftmax(logits, -1); // (B, T, V)
    // int32 then cast: wasm's OneHot writes int bits into a float32 output when asked for float32 (tfjs 4.22)
    const oneHot = tf.cast(tf.oneHot(tf.cast(targets, 'int32'), vocabSize), 'float32'); // (B, T, V)
    return tf.sum(tf.mul(logProbs, oneHot), -1) as tf.Tensor2D;
  });
}
