/**
 * The tokens of a completion y that log pi(y|x) sums over, in one place for every use:
 * preference pairs, every training loss, PPO's rollouts, the evaluation and best-of-N.
 *
 *   completion tokens = the completion's text tokens, then eos when the policy chose to stop
 *
 * Stopping is a decision the policy makes: the probability of the eos token belongs to
 * log pi(y|x) and its log-ratio to the KL. A completion cut at max_new_tokens (or at the
 * context) was not stopped by the policy and has no eos. A completion given as text (a
 * dataset's, a preference pair's) ends where its author ended it: eos is appended, and a
 * completion cut to a length limit loses it, as in the DPO reference implementation
 * (eric-mitchell/direct-preference-optimization, preference_datasets.py,
 * tokenize_batch_element: eos appended to chosen and rejected, then truncation).
 * TRL's PPO trainer likewise keeps the stop token in the response it scores.
 *
 * How to use it:
 *   - sampled: sampleCompletions (./sampleCompletions.ts) returns each row's `response`,
 *     which is completionTokens(completionIds, endedWithEos, eos): score `response`.
 *   - text: textCompletionTokens(tokenizer, text, maxTokens).
 *   - stored ids (completion_ids in samples.jsonl and best-of-N's files include eos when
 *     sampled): splitEos(tokens, eos) gives back the text tokens and whether it stopped.
 * Decoding drops special tokens, so `tokenizer.decode(tokens)` is the completion's text
 * either way.
 */
import type { Tokenizer } from '../tokenizer/types.ts';

/** The completion's tokens for log pi(y|x): `textIds`, then `eos` when the policy sampled it. */
export function completionTokens(textIds: readonly number[], endedWithEos: boolean, eos: number): number[] {
  if (textIds.includes(eos)) throw new Error(`completionTokens: the text tokens contain eos (${eos}); pass them without it`);
  return endedWithEos ? [...textIds, eos] : [...textIds];
}

/**
 * A completion written as text: its tokens and eos, cut to `maxTokens` when given (a
 * completion that does not fit loses its eos, and is then cut mid-way like a sample cut
 * at max_new_tokens).
 */
export function textCompletionTokens(tokenizer: Pick<Tokenizer, 'encode' | 'eos'>, text: string, maxTokens = Infinity): number[] {
  return completionTokens(tokenizer.encode(text), true, tokenizer.eos).slice(0, maxTokens);
}

/** The inverse of completionTokens: the text tokens, and whether the completion ends with eos. */
export function splitEos(tokens: readonly number[], eos: number): { textIds: number[]; endedWithEos: boolean } {
  const endedWithEos = tokens.length > 0 && tokens[tokens.length - 1] === eos;
  const textIds = endedWithEos ? tokens.slice(0, -1) : [...tokens];
  if (textIds.includes(eos)) throw new Error(`splitEos: eos (${eos}) inside a completion, not at its end: [${tokens.join(', ')}]`);
  return { textIds, endedWithEos };
}
