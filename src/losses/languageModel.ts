/**
 * The causal language-modelling loss, next-token cross-entropy, of SFT and Preferred-FT
 * (SFT on y_w only) and of DPO's optional SFT term: the negative log-likelihood of the
 * target tokens, prompt and padding masked out, per target token.
 *
 * The DPO reference implementation (eric-mitchell/direct-preference-optimization) trains
 * SFT on -log pi(y|x) per sequence, averaged over sequences; here the mean is per token,
 * so that long and short completions weigh by their number of tokens.
 */
import * as tf from '@tensorflow/tfjs';
import { maskedSum } from './masked.ts';

/**
 * -sum_{b,t} m_{b,t} log p_{b,t}, a scalar: the summed negative log-likelihood of the
 * targets. tokenLogps (B, T) log-probabilities of the targets, mask (B, T) 1 on targets.
 */
export function negativeLogLikelihood(tokenLogps: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(maskedSum(tokenLogps, mask)) as tf.Scalar);
}

/**
 * -sum_{b,t} m_{b,t} log p_{b,t} / max(1, sum_{b,t} m_{b,t}), a scalar: the mean
 * next-token cross-entropy per target token (nats). tokenLogps (B, T), mask (B, T).
 * `targets`: the batch's number of targets when this is a micro-batch of it (its share,
 * src/losses/share.ts); undefined: the batch is this one.
 */
export function languageModelLoss(tokenLogps: tf.Tensor2D, mask: tf.Tensor2D, targets?: number): tf.Scalar {
  return tf.tidy(() => {
    const nll = negativeLogLikelihood(tokenLogps, mask);
    return tf.div(nll, targets === undefined ? tf.maximum(tf.sum(mask), 1) : Math.max(1, targets)) as tf.Scalar;
  });
}

/**
 * The same loss from sequence sums: -sum_b log pi(y_b|x_b) / max(1, sum_b |y_b|), the
 * mean negative log-likelihood per token of the chosen completions y_w, a scalar.
 * chosenLogps (B,) log pi(y_w|x), chosenCounts (B,) |y_w| (src/losses/sequenceLogps.ts).
 * It sums the sequences' sums, so it can differ from languageModelLoss in the last bits.
 */
export function chosenNll(chosenLogps: tf.Tensor1D, chosenCounts: tf.Tensor1D, batchTokens?: number): tf.Scalar {
  // batchTokens: the batch's sum_b |y_b| when this is a micro-batch of it (its share, src/losses/share.ts)
  return tf.tidy(() => tf.div(tf.neg(tf.sum(chosenLogps)), batchTokens === undefined ? tf.maximum(tf.sum(chosenCounts), 1) : Math.max(1, batchTokens)) as tf.Scalar);
}
