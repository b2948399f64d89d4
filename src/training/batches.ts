/**
 * Which examples each training step takes: epochs of a seeded shuffle, cut into batches
 * (the last batch of an epoch may be short). A step's batch depends only on the seed and
 * the step, so a resumed run takes the same batches as an uninterrupted one.
 */
import { Random } from '../core/random.ts';

/** The indices (into `n` examples) of step `step`'s batch, counted from 0, and its epoch (fractional). */
export function batchAt(n: number, batchSize: number, step: number, seed: number): { indices: number[]; epoch: number } {
  if (n === 0) throw new Error('batchAt: no examples');
  const perEpoch = Math.ceil(n / batchSize);
  const epoch = Math.floor(step / perEpoch);
  const start = (step % perEpoch) * batchSize;
  const order = new Random(epochSeed(seed, epoch)).shuffle(Array.from({ length: n }, (_, i) => i));
  const indices = order.slice(start, start + batchSize);
  return { indices, epoch: epoch + (start + indices.length) / n };
}

function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) + epoch) >>> 0;
}
