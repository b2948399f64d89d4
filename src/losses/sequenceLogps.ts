/**
 * A sequence's log-probability from its tokens' log-probabilities (the model computes
 * those: src/model/logprobs.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { maskedSum } from './masked.ts';

/**
 * log pi(y|x) = sum_t m_t log p(y_t | x, y_<t) per sequence, the SUM over the response
 * tokens (m = 1 on them, 0 on prompt and padding), and their number sum_t m_t.
 * tokenLogps (B, T) and mask (B, T), aligned (mask[b, t] says whether tokenLogps[b, t]
 * counts) -> logps (B,), counts (B,).
 *
 * As `_get_batch_logps(..., average_log_prob=False)` in the DPO reference implementation
 * (eric-mitchell/direct-preference-optimization), which gathers the per-token
 * log-probabilities from the logits itself; here they come in already gathered.
 */
export function sequenceLogps(tokenLogps: tf.Tensor2D, mask: tf.Tensor2D): { logps: tf.Tensor1D; counts: tf.Tensor1D } {
  return { logps: maskedSum(tokenLogps, mask, 1) as tf.Tensor1D, counts: tf.sum(mask, 1) };
}
