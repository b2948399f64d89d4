/**
 * The model's state before each completion token, for measures that need the whole
 * next-token distribution there (the per-step KL) and not only the chosen token's
 * log-probability: one forward pass over prompt + completion, then the final hidden
 * state at every position that predicts a completion token. outputHead on these rows gives
 * the logits of pi(. | x, y<t), t = 0 .. |y|-1.
 */
import * as tf from '@tensorflow/tfjs';
import { buildBatch } from './batch.ts';
import { outputHead, transformer } from './forward.ts';
import type { GPT } from './gpt.ts';

export interface CompletionHidden {
  /** (N, C): one row per completion token, sample after sample, in token order. */
  hidden: tf.Tensor2D;
  /** The completion token each row predicts (N). */
  targets: number[];
  /** The sample (index into the completions) each row belongs to (N). */
  sampleOf: number[];
}

/**
 * For each (prompt, completion) pair (prompts start with bos; completions are the tokens
 * log pi(y|x) sums over, src/model/completionTokens.ts), the hidden states that predict the
 * completion's tokens. The caller disposes `hidden`.
 */
export function completionHidden(model: GPT, prompts: readonly number[][], completions: readonly number[][], pad: number): CompletionHidden {
  const targets: number[] = [];
  const sampleOf: number[] = [];
  const positions: number[] = [];
  const T = Math.max(...prompts.map((p, i) => p.length + completions[i].length));
  completions.forEach((completion, b) => {
    completion.forEach((token, j) => {
      targets.push(token);
      sampleOf.push(b);
      positions.push(b * T + prompts[b].length - 1 + j); // the position whose output predicts token j
    });
  });
  const hidden = tf.tidy(() => {
    const C = model.config.nEmbd;
    if (positions.length === 0) return tf.zeros([0, C]) as tf.Tensor2D;
    const batch = buildBatch(prompts as number[][], completions as number[][], pad); // (B, T)
    const states = transformer(model, batch.ids, { attentionMask: batch.attentionMask }).hidden; // (B, T, C)
    return tf.gather(states.reshape([-1, C]), tf.tensor1d(positions, 'int32')) as tf.Tensor2D; // (N, C)
  });
  return { hidden, targets, sampleOf };
}

/** The logits of rows `from`..`to` of completionHidden's hidden states: (to - from, V). */
export function completionLogits(model: GPT, hidden: tf.Tensor2D, from: number, to: number): tf.Tensor2D {
  return tf.tidy(() => {
    const rows = hidden.slice([from, 0], [to - from, hidden.shape[1]]);
    return outputHead(model, rows.reshape([1, to - from, hidden.shape[1]]) as tf.Tensor3D).reshape([to - from, model.config.vocabSize]) as tf.Tensor2D;
  });
}
