/**
 * Log-probabilities of token sequences under the model: per token, and summed over the
 * response tokens of each sequence (log pi(y|x), the quantity in the DPO loss).
 */
import * as tf from '@tensorflow/tfjs';
import type { GPT } from './gpt.ts';
import { outputHead, transformer, type ForwardOptions } from './forward.ts';
import { targetLogProbs } from './ops/targetLogProbs.ts';
import { sequenceLogps } from '../losses/sequenceLogps.ts';

/** A right-padded batch of prompt + response sequences (see buildBatch). */
export interface SequenceBatch {
  /** (B, T) int32 token ids. */
  ids: tf.Tensor2D;
  /** (B, T) float32, 1 on response tokens, 0 on prompt and padding. */
  responseMask: tf.Tensor2D;
  /** (B, T) float32, 1 on real tokens, 0 on padding. */
  attentionMask?: tf.Tensor2D;
}

/** log softmax(logits)[target] per row: logits (N, V), targets (N,) int32 -> (N,) (see src/backend/fused/). */
export { targetLogProbs } from './ops/targetLogProbs.ts';

/**
 * Per-token log-probabilities: out[b, t] = log p(ids[b, t+1] | ids[b, 0..t]).
 * ids (B, T) int32 -> (B, T-1). Entries whose target is padding are meaningless: mask them.
 */
export function tokenLogProbs(
  model: GPT,
  batch: { ids: tf.Tensor2D; attentionMask?: tf.Tensor2D },
  options: Omit<ForwardOptions, 'attentionMask'> = {},
): tf.Tensor2D {
  const [B, T] = batch.ids.shape;
  if (T < 2) throw new Error(`tokenLogProbs needs sequences of at least 2 tokens, got ${T}`);
  const { hidden } = transformer(model, batch.ids, { ...options, attentionMask: batch.attentionMask }); // (B, T, C)
  return nextTokenLogProbs(model, hidden.slice([0, 0, 0], [B, T - 1, model.config.nEmbd]), batch.ids).logprobs;
}

/**
 * The next-token logits and log-probabilities from the final hidden states of the
 * positions that predict a next token: hidden (B, T-1, C) and ids (B, T) int32 ->
 * logits (B, T-1, V) and logprobs (B, T-1), logprobs[b, t] = log p(ids[b, t+1] | ids[b, 0..t]).
 * At a `temperature` T other than 1 both are those of the distribution sampled at T,
 * softmax(logits / T): the logits returned are divided by T (T > 0).
 */
export function nextTokenLogProbs(model: GPT, hidden: tf.Tensor3D, ids: tf.Tensor2D, temperature = 1): { logits: tf.Tensor3D; logprobs: tf.Tensor2D } {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new RangeError(`nextTokenLogProbs: temperature ${temperature} is not a finite number > 0`);
  const [B, T] = ids.shape;
  const raw = outputHead(model, hidden); // (B, T-1, V)
  const logits = temperature === 1 ? raw : (tf.div(raw, temperature) as tf.Tensor3D); // (B, T-1, V)
  const targets = ids.slice([0, 1], [B, T - 1]).reshape([B * (T - 1)]) as tf.Tensor1D;
  const logprobs = targetLogProbs(logits.reshape([B * (T - 1), model.config.vocabSize]), targets).reshape([B, T - 1]) as tf.Tensor2D;
  return { logits, logprobs };
}

/**
 * log pi(y|x) per sequence: the SUM of the response tokens' log-probabilities given
 * everything before them, with prompt and padding masked out (src/losses/sequenceLogps.ts);
 * `counts` is the number of response tokens. A response token at position 0 has no
 * context and is not counted. logps (B,), counts (B,).
 */
export function sequenceLogProbs(
  model: GPT,
  batch: SequenceBatch,
  options: Omit<ForwardOptions, 'attentionMask'> = {},
): { logps: tf.Tensor1D; counts: tf.Tensor1D } {
  const [B, T] = batch.ids.shape;
  const perToken = tokenLogProbs(model, batch, options); // (B, T-1)
  return sequenceLogps(perToken, batch.responseMask.slice([0, 1], [B, T - 1])); // the mask (B, T-1), aligned with the targets
}
