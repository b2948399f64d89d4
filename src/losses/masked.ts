/**
 * Sequence-level reductions that ignore padding: every statistic over tokens in this
 * project goes through these, so that a padded batch gives the same numbers as the
 * same sequences unpadded. A mask is 1 on real (response) tokens and 0 elsewhere.
 */
import * as tf from '@tensorflow/tfjs';

/** sum_i x_i m_i, over `axis` (all axes when omitted). x and mask have the same shape. */
export function maskedSum(x: tf.Tensor, mask: tf.Tensor, axis?: number | number[]): tf.Tensor {
  return tf.tidy(() => tf.sum(tf.mul(x, mask), axis));
}

/**
 * sum_i x_i m_i / sum_i m_i, over `axis` (all axes when omitted). Where a row has no
 * real token the mean is 0 (the denominator is floored at 1), never NaN.
 */
export function maskedMean(x: tf.Tensor, mask: tf.Tensor, axis?: number | number[]): tf.Tensor {
  return tf.tidy(() => tf.div(maskedSum(x, mask, axis), tf.maximum(tf.sum(mask, axis), 1)));
}
