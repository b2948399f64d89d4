/** The entropy of the policy's next-token distribution, logged by PPO as `objective/entropy`. */
import * as tf from '@tensorflow/tfjs';

/**
 * H_t = -sum_v p_v log p_v per position, with log p = logSoftmax(logits):
 * logits (B, T, V) -> (B, T). Average it over response tokens only (a mask, or ragged rows).
 * TRL writes the same as logsumexp(logits) - sum_v p_v logits_v.
 */
export function tokenEntropy(logits: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits, -1); // (B, T, V)
    return tf.neg(tf.sum(tf.mul(tf.exp(logProbs), logProbs), -1)) as tf.Tensor2D;
  });
}
