/**
 * The log-probabilities of a batch of pairs under a model, from one forward pass over the
 * chosen and rejected sequences stacked: the sequence sums log pi(y|x) that DPO compares
 * and the per-token ones that Unlikelihood needs. The completions' ids include eos where
 * the completion stopped (src/data/pairs.ts), so its log-probability is one of the terms:
 * log pi(y|x) counts the decision to stop.
 */
import * as tf from '@tensorflow/tfjs';
import { tokenLogProbs, type GPT } from '../model/index.ts';
import { sequenceLogps } from '../losses/sequenceLogps.ts';
import { pairBatch, type PairIds } from './batch.ts';

export interface PairLogps {
  /** (B,) log pi(y_w|x): the sum over the chosen completion's tokens. */
  chosenLogps: tf.Tensor1D;
  /** (B,) the number of chosen completion tokens. */
  chosenCounts: tf.Tensor1D;
  /** Present when the rejected completions were run. */
  rejected?: {
    /** (B,) log pi(y_l|x). */
    logps: tf.Tensor1D;
    /** (B, T-1) log p(y_l,t | x, y_l,<t), aligned with `mask`. */
    tokenLogps: tf.Tensor2D;
    /** (B, T-1) 1 on the rejected completion's tokens. */
    mask: tf.Tensor2D;
  };
}

/**
 * One forward pass of `model` over the pairs (chosen rows, then rejected rows when
 * `rejected`). Call inside tf.tidy (or a gradient function): the results are new tensors
 * and the batch's own tensors are left to the enclosing scope.
 */
export function pairLogps(model: GPT, pairs: readonly PairIds[], pad: number, options: { rejected: boolean }): PairLogps {
  const B = pairs.length;
  const batch = pairBatch(pairs, pad, options);
  const [R, T] = batch.ids.shape;
  const perToken = tokenLogProbs(model, batch); // (R, T-1)
  const mask = batch.responseMask.slice([0, 1], [R, T - 1]); // (R, T-1), aligned with the targets
  const { logps, counts } = sequenceLogps(perToken, mask); // (R,) each
  const out: PairLogps = { chosenLogps: logps.slice(0, B), chosenCounts: counts.slice(0, B) };
  if (options.rejected) {
    out.rejected = {
      logps: logps.slice(B, B),
      tokenLogps: perToken.slice([B, 0], [B, T - 1]),
      mask: mask.slice([B, 0], [B, T - 1]),
    };
  }
  return out;
}
