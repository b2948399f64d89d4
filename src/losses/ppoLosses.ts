/**
 * PPO's clipped losses (Schulman et al. 2017) and the statistics logged beside them, on
 * padded batches: every mean is over the positions where mask is 1, so that padding never
 * enters a statistic. All inputs are (B, T) unless stated. The same losses and statistics
 * as TRL's PPO trainer (`loss`: pg_losses, vf_losses, pg_clipfrac, approxkl).
 */
import * as tf from '@tensorflow/tfjs';
import { maskedBatchMean } from './share.ts';

export interface PolicyLossInputs {
  logprobs: tf.Tensor2D; // (B, T) log pi_theta(a_t|s_t) now
  oldLogprobs: tf.Tensor2D; // (B, T) the same under the policy that sampled the rollout
  advantages: tf.Tensor2D; // (B, T) whitened GAE advantages
  mask: tf.Tensor2D; // (B, T) 1 on response tokens
}

export interface PolicyLossOutput {
  loss: tf.Scalar; // `loss/policy`
  clipfrac: tf.Scalar; // `policy/clipfrac`: the fraction of tokens where the clipped term was used
  approxkl: tf.Scalar; // `policy/approxkl`: 0.5 mean (log pi - log pi_old)^2
}

/**
 * Clipped surrogate: mean over tokens of max(-A ratio, -A clip(ratio, 1 - c, 1 + c)),
 * with ratio = exp(log pi - log pi_old) and c = cliprange. `batchTokens`: the minibatch's
 * number of tokens when this is a micro-batch of it (every output its share, src/losses/share.ts).
 */
export function policyLoss(inputs: PolicyLossInputs, cliprange: number, batchTokens?: number): PolicyLossOutput {
  return tf.tidy(() => {
    const maskedMean = (x: tf.Tensor, m: tf.Tensor) => maskedBatchMean(x, m, batchTokens);
    const { logprobs, oldLogprobs, advantages, mask } = inputs;
    const logRatio = tf.sub(logprobs, oldLogprobs); // (B, T)
    const ratio = tf.exp(logRatio); // (B, T)
    const unclipped = tf.mul(tf.neg(advantages), ratio); // (B, T)
    const clipped = tf.mul(tf.neg(advantages), tf.clipByValue(ratio, 1 - cliprange, 1 + cliprange)); // (B, T)
    return {
      loss: maskedMean(tf.maximum(unclipped, clipped), mask) as tf.Scalar,
      clipfrac: maskedMean(tf.cast(tf.greater(clipped, unclipped), 'float32'), mask) as tf.Scalar,
      approxkl: tf.mul(maskedMean(tf.mul(logRatio, logRatio), mask), 0.5) as tf.Scalar,
    };
  });
}

export interface ValueLossInputs {
  values: tf.Tensor2D; // (B, T) V_phi(s_t) now
  oldValues: tf.Tensor2D; // (B, T) the values recorded in the rollout
  returns: tf.Tensor2D; // (B, T) GAE returns, the target
  mask: tf.Tensor2D; // (B, T)
}

export interface ValueLossOutput {
  loss: tf.Scalar; // `loss/value` (before vf_coef)
  clipfrac: tf.Scalar; // `val/clipfrac`
}

/**
 * Clipped value loss: 0.5 mean over tokens of max((V - R)^2, (V_clip - R)^2), with
 * V_clip = V_old + clip(V - V_old, -c, c) and c = cliprangeValue. `batchTokens` as in policyLoss.
 */
export function valueLoss(inputs: ValueLossInputs, cliprangeValue: number, batchTokens?: number): ValueLossOutput {
  return tf.tidy(() => {
    const maskedMean = (x: tf.Tensor, m: tf.Tensor) => maskedBatchMean(x, m, batchTokens);
    const { values, oldValues, returns, mask } = inputs;
    const valuesClipped = tf.add(oldValues, tf.clipByValue(tf.sub(values, oldValues), -cliprangeValue, cliprangeValue)); // (B, T)
    const errorUnclipped = tf.sub(values, returns);
    const errorClipped = tf.sub(valuesClipped, returns);
    const squaredUnclipped = tf.mul(errorUnclipped, errorUnclipped); // (B, T)
    const squaredClipped = tf.mul(errorClipped, errorClipped); // (B, T)
    return {
      loss: tf.mul(maskedMean(tf.maximum(squaredUnclipped, squaredClipped), mask), 0.5) as tf.Scalar,
      clipfrac: maskedMean(tf.cast(tf.greater(squaredClipped, squaredUnclipped), 'float32'), mask) as tf.Scalar,
    };
  });
}
