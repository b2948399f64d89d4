/**
 * Batches of preference pairs: which pairs each training step takes, and the token
 * tensors of a batch, chosen and rejected completions stacked into one forward pass.
 */
import { buildBatch, type SequenceBatch } from '../model/index.ts';
import type { Random } from '../core/random.ts';

/** The token ids of a pair, as pairs.jsonl stores them (prompt_ids starts with bos). */
export interface PairIds {
  prompt_ids: number[];
  chosen_ids: number[];
  rejected_ids: number[];
}

/**
 * The pairs' sequences, right-padded with `pad`: rows 0..B-1 are prompt ++ chosen and,
 * when `rejected` is true, rows B..2B-1 are prompt ++ rejected (one forward pass for both,
 * as in the DPO reference implementation's concatenated forward).
 * ids (R, T) int32, responseMask and attentionMask (R, T), R = B or 2B.
 */
export function pairBatch(pairs: readonly PairIds[], pad: number, options: { rejected: boolean }): Required<SequenceBatch> {
  const prompts = pairs.map((p) => p.prompt_ids);
  const responses = pairs.map((p) => p.chosen_ids);
  if (options.rejected) {
    prompts.push(...pairs.map((p) => p.prompt_ids));
    responses.push(...pairs.map((p) => p.rejected_ids));
  }
  return buildBatch(prompts, responses, pad);
}

/**
 * The indices of the pairs each of `steps` steps takes: epochs of seeded permutations of
 * 0..n-1, cut into batches of `batchSize` (an epoch's last batch may be smaller). The whole
 * schedule is drawn up front, so a resumed run takes the same batches from its step on.
 */
export function batchSchedule(n: number, batchSize: number, steps: number, random: Random): number[][] {
  if (n === 0) throw new Error('batchSchedule: no examples');
  const schedule: number[][] = [];
  while (schedule.length < steps) {
    const order = random.shuffle(Array.from({ length: n }, (_, i) => i));
    for (let start = 0; start < n && schedule.length < steps; start += batchSize) schedule.push(order.slice(start, start + batchSize));
  }
  return schedule;
}
