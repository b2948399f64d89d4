/** The reward model's loss (Bradley-Terry) and the preference accuracy. */
import * as tf from '@tensorflow/tfjs';
import { logSigmoid } from './logSigmoid.ts';

/**
 * Bradley-Terry: mean over pairs of -log sigma(r(x, y_w) - r(x, y_l) - margin), a scalar.
 * chosenRewards and rejectedRewards are (B,); margin is a number or (B,) (0: plain BT).
 */
export function bradleyTerryLoss(chosenRewards: tf.Tensor1D, rejectedRewards: tf.Tensor1D, margin: number | tf.Tensor1D = 0): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(logSigmoid(tf.sub(tf.sub(chosenRewards, rejectedRewards), margin)))) as tf.Scalar);
}

/** The fraction of pairs with r_w > r_l strictly (a tie counts as wrong), a scalar: `rewards/accuracies`. */
export function preferenceAccuracy(chosenRewards: tf.Tensor1D, rejectedRewards: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.cast(tf.greater(chosenRewards, rejectedRewards), 'float32')) as tf.Scalar);
}
