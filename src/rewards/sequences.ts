/**
 * How a scalar-head model reads a (prompt, completion): as one text, encoded with the
 * model's tokenizer after a bos token, cut to the model's context, and right-padded into
 * a batch. The reward_model and classifier stages train on exactly what their reward
 * kinds score.
 *
 * No eos is appended: the scalar head reads the last token of the text. A reward scores a
 * (prompt, completion) as text (src/rewards/types.ts), one interface for the ground truths
 * (which read text) and for learned reward models (trained on the pairs' texts, encoded
 * here the same way), so a completion that stopped and one cut at max_new_tokens after
 * the same text score the same. The policy's decision to stop enters training through
 * log pi(y|x), whose tokens include eos (src/model/completionTokens.ts), not through the
 * reward. It is also where Hugging Face's GPT-2 sequence classifiers read a model whose pad
 * is its eos (the last token that is not pad), so a reward_model folder scores alike there.
 */
import * as tf from '@tensorflow/tfjs';
import type { Tokenizer } from '../tokenizer/index.ts';

/** What a scalar-head reward reads: the prompt followed by the completion, or the completion alone. */
export type ScoredText = 'prompt_and_completion' | 'completion';
export const SCORED_TEXTS: readonly ScoredText[] = ['prompt_and_completion', 'completion'];

/** The prompt and the completion as one text, with a space between unless one is already there. */
export function joinPromptAndCompletion(prompt: string, completion: string): string {
  return prompt === '' || completion === '' || /\s$/.test(prompt) || /^\s/.test(completion) ? prompt + completion : `${prompt} ${completion}`;
}

export function scoredText(prompt: string, completion: string, text: ScoredText): string {
  return text === 'completion' ? completion : joinPromptAndCompletion(prompt, completion);
}

/**
 * [bos, ...encode(text)], cut to the first `contextLength` tokens (the head reads the
 * last token kept). Never empty: an empty text is [bos].
 */
export function encodeForScore(tokenizer: Tokenizer, text: string, contextLength: number): number[] {
  return [tokenizer.bos, ...tokenizer.encode(text)].slice(0, contextLength);
}

/** Sequences right-padded with `pad` to the longest: ids (B, T) int32, attentionMask (B, T) 1 on real tokens. */
export function padRight(sequences: readonly number[][], pad: number): { ids: tf.Tensor2D; attentionMask: tf.Tensor2D } {
  if (sequences.length === 0) throw new Error('padRight: empty batch');
  const B = sequences.length;
  const T = Math.max(...sequences.map((s) => s.length));
  if (T === 0) throw new Error('padRight: every sequence is empty');
  const ids = new Int32Array(B * T).fill(pad);
  const mask = new Float32Array(B * T);
  sequences.forEach((sequence, b) => {
    ids.set(sequence, b * T);
    mask.fill(1, b * T, b * T + sequence.length);
  });
  return { ids: tf.tensor2d(ids, [B, T], 'int32'), attentionMask: tf.tensor2d(mask, [B, T]) };
}
