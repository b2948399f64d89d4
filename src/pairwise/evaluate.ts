/**
 * One evaluation of a pairwise objective on held-out pairs: the loss and the metrics,
 * averaged over the pairs (each batch weighted by its number of pairs), no gradient.
 */
import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/index.ts';
import type { PairIds } from './batch.ts';
import { pairLogps } from './logps.ts';
import type { PairwiseObjective, ReferenceBatch } from './objectives.ts';
import type { ReferenceLogps } from './reference.ts';

/** The objective's loss and metrics on `pairs`, with their reference log-probabilities `reference` (same order). */
export async function evaluatePairs(
  model: GPT,
  objective: PairwiseObjective,
  pairs: readonly PairIds[],
  reference: ReferenceLogps | undefined,
  options: { pad: number; batchSize: number },
): Promise<Record<string, number>> {
  const names = ['loss', ...objective.metrics];
  const sums = new Array<number>(names.length).fill(0);
  for (let start = 0; start < pairs.length; start += options.batchSize) {
    const end = Math.min(start + options.batchSize, pairs.length);
    const values = tf.tidy(() => {
      const logps = pairLogps(model, pairs.slice(start, end), options.pad, { rejected: objective.usesRejected });
      const { loss, metrics } = objective.loss(logps, referenceBatch(reference, start, end));
      return tf.stack([loss, ...objective.metrics.map((m) => metrics[m])]); // (M,)
    });
    const data = await values.data();
    values.dispose();
    data.forEach((v, i) => (sums[i] += v * (end - start)));
  }
  return Object.fromEntries(names.map((name, i) => [name, sums[i] / pairs.length]));
}

/** The reference log-probabilities of pairs start..end-1 as tensors (undefined when there are none). */
export function referenceBatch(reference: ReferenceLogps | undefined, start: number, end: number): ReferenceBatch | undefined {
  if (!reference) return undefined;
  return {
    chosen: tf.tensor1d(reference.chosen.slice(start, end)),
    rejected: tf.tensor1d(reference.rejected.slice(start, end)),
  };
}
