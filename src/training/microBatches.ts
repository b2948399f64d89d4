/**
 * Gradient accumulation (`train.micro_batch_size`, TRL's gradient_accumulation_steps): a
 * step's batch is cut into micro-batches of at most micro_batch_size examples, each one's
 * forward and backward pass runs alone, and their gradients are summed before one clip and
 * one optimizer step. Each micro-batch's loss is its share of the batch's loss (a sum over
 * its examples or tokens divided by the whole batch's count, never its own mean), so that
 * the shares add up to the full-batch loss and their gradients to its gradient.
 */
import { UserError } from '../core/errors.ts';
import type { TrainSettings } from './settings.ts';

/**
 * The micro-batch size of a stage whose batches hold `batchSize` examples (train.batch_size;
 * PPO: minibatch_size): train.micro_batch_size, or the whole batch when it is unset. It
 * must divide the batch (the pipeline's validation says so with a position; this is the
 * same rule for callers that skip it).
 */
export function microBatchSize(train: TrainSettings, batchSize: number = train.batch_size): number {
  const micro = train.micro_batch_size ?? batchSize;
  if (!Number.isInteger(micro) || micro < 1 || batchSize % micro !== 0) {
    throw new UserError(`train.micro_batch_size ${micro} does not divide the batch of ${batchSize}`, 'give a train.micro_batch_size that divides it (or none: no accumulation)');
  }
  return micro;
}

/** `items` cut into consecutive micro-batches of at most `size` (one when size >= items.length). */
export function microBatches<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
