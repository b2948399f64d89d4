/**
 * A micro-batch's share of a batch mean (gradient accumulation, src/training/microBatches.ts):
 * the sum over the micro-batch divided by the WHOLE batch's count, so that the shares of
 * the micro-batches add up to the batch's mean exactly (in exact arithmetic), whatever
 * their sizes or token counts. A mean over tokens in particular is not the mean of the
 * micro-batches' own token means when they hold different numbers of tokens.
 *
 * With `count` undefined the micro-batch is the whole batch: the plain mean, computed as before.
 */
import * as tf from '@tensorflow/tfjs';
import { maskedMean, maskedSum } from './masked.ts';

/** mean_i x_i over the batch, or this micro-batch's share sum_i x_i / count of a batch of `count` examples: a scalar. */
export function batchMean(x: tf.Tensor, count?: number): tf.Scalar {
  return tf.tidy(() => (count === undefined ? tf.mean(x) : tf.div(tf.sum(x), count)) as tf.Scalar);
}

/**
 * sum_i x_i m_i / max(1, sum_i m_i), or this micro-batch's share sum_i x_i m_i / max(1, count)
 * of a batch with `count` masked-in entries (tokens): a scalar.
 */
export function maskedBatchMean(x: tf.Tensor, mask: tf.Tensor, count?: number): tf.Scalar {
  return tf.tidy(() => (count === undefined ? maskedMean(x, mask) : tf.div(maskedSum(x, mask), Math.max(1, count))) as tf.Scalar);
}
