/**
 * How a scalar-head model reads a (prompt, completion): as one text, encoded with the
 * model's tokenizer after a bos token, cut to the model's context, and right-padded into
 * a batch. The reward_model and classifier stages train on exactly what their reward
 * kinds score.
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
