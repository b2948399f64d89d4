/** The reward model's loss (Bradley-Terry) and the preference accuracy. */
import * as tf from '@tensorflow/tfjs';
import { logSigmoid } from './logSigmoid.ts';
import { batchMean } from './share.ts';

/**
 * Bradley-Terry: mean over pairs of -log sigma(r(x, y_w) - r(x, y_l) - margin), a scalar.
 * chosenRewards and rejectedRewards are (B,); margin is a number or (B,) (0: plain BT).
 * `batchPairs`: the batch's number of pairs when this is a micro-batch of it (its share,
 * src/losses/share.ts).
 */
export function bradleyTerryLoss(chosenRewards: tf.Tensor1D, rejectedRewards: tf.Tensor1D, margin: number | tf.Tensor1D = 0, batchPairs?: number): tf.Scalar {
  return tf.tidy(() => tf.neg(batchMean(logSigmoid(tf.sub(tf.sub(chosenRewards, rejectedRewards), margin)), batchPairs)) as tf.Scalar);
}

/** The fraction of pairs with r_w > r_l strictly (a tie counts as wrong), a scalar: `rewards/accuracies` (a micro-batch's share with `batchPairs`). */
export function preferenceAccuracy(chosenRewards: tf.Tensor1D, rejectedRewards: tf.Tensor1D, batchPairs?: number): tf.Scalar {
  return tf.tidy(() => batchMean(tf.cast(tf.greater(chosenRewards, rejectedRewards), 'float32'), batchPairs));
}
