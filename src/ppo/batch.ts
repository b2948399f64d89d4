/**
 * Between ragged rollouts and padded tensors. A rollout row is a prompt and the response
 * tokens the policy chose; per-token quantities (log-probabilities, values, rewards,
 * advantages) are kept ragged, one number per response token, so that padding cannot
 * enter a statistic. In the padded (B, T) batch, response token j of row b sits at
 * column |prompt_b| + j, and the model's outputs that concern it (its log-probability,
 * the value of the state before it) at column |prompt_b| + j - 1 of the (B, T-1) outputs.
 */
import * as tf from '@tensorflow/tfjs';

export interface RolloutRow {
  prompt: number[];
  response: number[];
}

export interface RolloutBatch {
  ids: tf.Tensor2D; // (B, T) int32, right-padded with `pad`
  attentionMask: tf.Tensor2D; // (B, T) 1 on prompt and response tokens
  mask: tf.Tensor2D; // (B, T-1) 1 where the column's target is a response token
}

/** The padded batch of `rows`, T = the longest row (or `width` when larger). */
export function rolloutBatch(rows: readonly RolloutRow[], pad: number, width = 0): RolloutBatch {
  const B = rows.length;
  const T = Math.max(width, ...rows.map((r) => r.prompt.length + r.response.length));
  const ids = new Int32Array(B * T).fill(pad);
  const attention = new Float32Array(B * T);
  rows.forEach((row, b) => {
    if (row.prompt.length === 0 || row.response.length === 0) throw new Error(`rolloutBatch: row ${b} needs a prompt token and a response token`);
    ids.set(row.prompt, b * T);
    ids.set(row.response, b * T + row.prompt.length);
    attention.fill(1, b * T, b * T + row.prompt.length + row.response.length);
  });
  const mask = scatter(rows.map((r) => r.response.map(() => 1)), rows, T);
  return {
    ids: tf.tensor2d(ids, [B, T], 'int32'),
    attentionMask: tf.tensor2d(attention, [B, T]),
    mask: tf.tensor2d(mask, [B, T - 1]),
  };
}

export function disposeBatch(batch: RolloutBatch): void {
  tf.dispose([batch.ids, batch.attentionMask, batch.mask]);
}

/** The response tokens' entries of a (B, T-1) output, row by row: number[B][|response_b|]. */
export function gatherResponses(values: ArrayLike<number>, rows: readonly RolloutRow[], T: number): number[][] {
  return rows.map((row, b) => Array.from({ length: row.response.length }, (_, j) => values[b * (T - 1) + row.prompt.length - 1 + j]));
}

/** The inverse of gatherResponses: a (B, T-1) array, 0 off the response tokens. */
export function scatter(ragged: readonly (readonly number[])[], rows: readonly RolloutRow[], T: number): Float32Array {
  const out = new Float32Array(rows.length * (T - 1));
  rows.forEach((row, b) => out.set(ragged[b], b * (T - 1) + row.prompt.length - 1));
  return out;
}

/** A ragged (B, |response_b|) array as a (B, T-1) tensor aligned with a RolloutBatch. */
export function scatterTensor(ragged: readonly (readonly number[])[], rows: readonly RolloutRow[], T: number): tf.Tensor2D {
  return tf.tensor2d(scatter(ragged, rows, T), [rows.length, T - 1]);
}
