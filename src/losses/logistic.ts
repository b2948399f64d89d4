/** The classifier's loss and accuracy on logits z = the scalar head at the last token. */
import * as tf from '@tensorflow/tfjs';
import { batchMean } from './share.ts';

/**
 * Binary cross-entropy on logits, mean over examples:
 *   -[y log sigma(z) + (1 - y) log(1 - sigma(z))] = softplus(z) - y z,
 * stable for large |z|. logits (B,), labels (B,) in {0, 1} -> scalar. `batchSize`: the
 * batch's when this is a micro-batch of it (its share, src/losses/share.ts).
 */
export function logisticLoss(logits: tf.Tensor1D, labels: tf.Tensor1D, batchSize?: number): tf.Scalar {
  return tf.tidy(() => batchMean(tf.sub(tf.softplus(logits), tf.mul(labels, logits)), batchSize));
}

/** The fraction of examples with (z > 0) == (y == 1): the accuracy at p = 0.5. */
export function logisticAccuracy(logits: readonly number[], labels: readonly number[]): number {
  if (logits.length === 0) return NaN;
  let right = 0;
  logits.forEach((z, i) => {
    if ((z > 0 ? 1 : 0) === labels[i]) right++;
  });
  return right / logits.length;
}
