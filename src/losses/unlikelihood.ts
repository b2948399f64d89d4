/**
 * The Unlikelihood baseline on preference pairs: likelihood on y_w, unlikelihood on each
 * token of y_l, from per-token and sequence log-probabilities.
 */
import * as tf from '@tensorflow/tfjs';
import { maskedSum } from './masked.ts';

export interface UnlikelihoodInputs {
  policyChosenLogps: tf.Tensor1D; // (B,) log p(y_w|x), summed over the response
  policyRejectedTokenLogps: tf.Tensor2D; // (B, T) log p(y_l,t | x, y_l,<t)
  rejectedMask: tf.Tensor2D; // (B, T) 1 on y_l's response tokens, 0 on prompt and padding
}

/** The smallest 1 - p(y_l,t) that enters the log: log(1e-6) = -13.8 bounds each token's term. */
export const UNLIKELIHOOD_FLOOR = 1e-6;

/**
 * Unlikelihood (Welleck et al. 2019), per pair, (B,):
 *   -log p(y_w|x) - alpha * sum_t log(1 - p(y_l,t | x, y_l,<t)),
 * with 1 - p floored at UNLIKELIHOOD_FLOOR, computed as log1p(-min(exp(logp), 1 - floor)).
 */
export function unlikelihoodLoss(inputs: UnlikelihoodInputs, alpha: number): tf.Tensor1D {
  return tf.tidy(() => {
    const p = tf.minimum(tf.exp(inputs.policyRejectedTokenLogps), 1 - UNLIKELIHOOD_FLOOR); // (B, T)
    const logOneMinusP = tf.log1p(tf.neg(p)); // (B, T)
    const unlikelihood = maskedSum(logOneMinusP, inputs.rejectedMask, 1); // (B,)
    return tf.sub(tf.neg(inputs.policyChosenLogps), tf.mul(unlikelihood, alpha)) as tf.Tensor1D;
  });
}
