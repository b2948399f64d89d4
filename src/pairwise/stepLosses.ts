/**
 * The loss of a pairwise step (dpo, preferred_ft, unlikelihood) on a batch of pairs, as the
 * training loop's update takes it: one function per micro-batch of `microBatchSize` pairs
 * (src/training/microBatches.ts), each one forward pass over its chosen and rejected rows
 * and the objective's share of the batch's loss and metrics (objectives.ts, BatchCounts):
 * means over pairs divide by the batch's pairs, the SFT terms' means over tokens by the
 * batch's chosen tokens, so the shares add up to the batch's values. Each metric is kept
 * once per micro-batch: the batch's value is the sum of what the update reads back.
 */
import type { GPT } from '../model/index.ts';
import { microBatches } from '../training/microBatches.ts';
import type { LossOutput } from '../training/update.ts';
import type { PairIds } from './batch.ts';
import { referenceBatch } from './evaluate.ts';
import { pairLogps } from './logps.ts';
import type { PairwiseObjective } from './objectives.ts';
import type { ReferenceLogps } from './reference.ts';

/** The micro-batches' losses of `pairs`, with their reference log-probabilities `reference` (same order; none for a reference-free objective). */
export function pairwiseStepLosses(
  model: GPT,
  objective: PairwiseObjective,
  pairs: readonly PairIds[],
  reference: ReferenceLogps | undefined,
  options: { pad: number; microBatchSize: number },
): (() => LossOutput)[] {
  const starts = microBatches(pairs.map((_, i) => i), options.microBatchSize).map((chunk) => chunk[0]);
  // One micro-batch: the plain means, as without accumulation; several: each its share.
  const batch = starts.length > 1 ? { pairs: pairs.length, chosenTokens: pairs.reduce((n, p) => n + p.chosen_ids.length, 0) } : undefined;
  return starts.map((start) => () => {
    const end = Math.min(start + options.microBatchSize, pairs.length);
    const logps = pairLogps(model, pairs.slice(start, end), options.pad, { rejected: objective.usesRejected });
    const { loss, metrics } = objective.loss(logps, referenceBatch(reference, start, end), batch);
    return { loss, kept: Object.fromEntries(objective.metrics.map((m) => [m, metrics[m]])) };
  });
}
