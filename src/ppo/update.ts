/**
 * PPO's optimisation phase: shuffled minibatches of a rollout, and the loss of each, the
 * clipped surrogate policy loss plus vf_coef times the clipped value loss
 * (src/losses/ppoLosses.ts). The training loop takes one optimizer update on each
 * (src/training/update.ts: gradients, clipping, the non-finite rule), accumulating the
 * gradients of its micro-batches (train.micro_batch_size, src/training/microBatches.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { policyLoss, valueLoss } from '../losses/ppoLosses.ts';
import type { Random } from '../core/random.ts';
import { disposeBatch, rolloutBatch, scatterTensor, type RolloutRow } from './batch.ts';
import { policyAndValues } from './forward.ts';
import type { PpoModels } from './models.ts';
import { microBatches } from '../training/microBatches.ts';
import type { LossOutput } from '../training/update.ts';

/** The rollout rows a minibatch trains on, with what the rollout measured (ragged, one number per response token). */
export interface PpoExamples {
  rows: RolloutRow[];
  oldLogprobs: number[][];
  oldValues: number[][];
  advantages: number[][];
  returns: number[][];
}

export interface PpoLossSettings {
  cliprange: number;
  cliprangeValue: number;
  vfCoef: number;
  /** The sampling temperature: the new log-probabilities are those of softmax(logits / temperature), as the old ones (src/ppo/forward.ts). */
  temperature: number;
}

/** What one update measured (each a mean over the minibatch's response tokens). */
export interface PpoStepStats {
  loss: number;
  'loss/policy': number;
  'loss/value': number;
  'policy/approxkl': number;
  'policy/clipfrac': number;
  'val/clipfrac': number;
  grad_norm: number;
}

/** The indices 0..n-1 shuffled and cut into minibatches of `size` (the last may be smaller). */
export function minibatches(n: number, size: number, random: Random): number[][] {
  const order = random.shuffle(Array.from({ length: n }, (_, i) => i));
  const batches: number[][] = [];
  for (let start = 0; start < n; start += size) batches.push(order.slice(start, start + size));
  return batches;
}

/** The examples at `indices`. */
export function selectExamples(examples: PpoExamples, indices: readonly number[]): PpoExamples {
  const pick = <T>(list: T[]) => indices.map((i) => list[i]);
  return {
    rows: pick(examples.rows),
    oldLogprobs: pick(examples.oldLogprobs),
    oldValues: pick(examples.oldValues),
    advantages: pick(examples.advantages),
    returns: pick(examples.returns),
  };
}

/**
 * The minibatch loss, loss/policy + vf_coef * loss/value, and its statistics as kept
 * scalars (the caller disposes them). Padded to `width` columns when larger than needed.
 * `batchTokens`: the minibatch's number of response tokens when `examples` are a
 * micro-batch of it; the loss and the statistics are then its shares (src/losses/share.ts).
 */
export function ppoLoss(
  models: PpoModels,
  examples: PpoExamples,
  pad: number,
  settings: PpoLossSettings,
  width = 0,
  batchTokens?: number,
): { loss: tf.Scalar; stats: Record<Exclude<keyof PpoStepStats, 'grad_norm' | 'loss'>, tf.Scalar> } {
  const batch = rolloutBatch(examples.rows, pad, width);
  try {
    return tf.tidy(() => {
      const T = batch.ids.shape[1];
      const { logprobs, values } = policyAndValues(models, batch, settings.temperature); // (B, T-1) each
      const column = (ragged: number[][]) => scatterTensor(ragged, examples.rows, T); // (B, T-1)
      const policy = policyLoss({ logprobs, oldLogprobs: column(examples.oldLogprobs), advantages: column(examples.advantages), mask: batch.mask }, settings.cliprange, batchTokens);
      const value = valueLoss({ values, oldValues: column(examples.oldValues), returns: column(examples.returns), mask: batch.mask }, settings.cliprangeValue, batchTokens);
      return {
        loss: tf.add(policy.loss, tf.mul(value.loss, settings.vfCoef)) as tf.Scalar,
        stats: {
          'loss/policy': policy.loss,
          'loss/value': value.loss,
          'policy/approxkl': policy.approxkl,
          'policy/clipfrac': policy.clipfrac,
          'val/clipfrac': value.clipfrac,
        },
      };
    });
  } finally {
    disposeBatch(batch);
  }
}

/**
 * A minibatch's loss as the training loop's update takes it: one function per micro-batch
 * of `microBatchSize` rows, each its share of the minibatch's token means (every one of
 * them divided by the minibatch's response tokens), so that the shares of the loss and of
 * each statistic add up to the minibatch's: a statistic's value is the sum of what the
 * update reads back for it.
 */
export function ppoStepLosses(models: PpoModels, examples: PpoExamples, pad: number, settings: PpoLossSettings, microBatchSize: number): (() => LossOutput)[] {
  const chunks = microBatches(examples.rows.map((_, i) => i), microBatchSize);
  // One micro-batch: the plain means, as without accumulation; several: each its share.
  const tokens = chunks.length > 1 ? examples.rows.reduce((n, row) => n + row.response.length, 0) : undefined;
  return chunks.map((indices) => () => {
    const { loss, stats } = ppoLoss(models, selectExamples(examples, indices), pad, settings, 0, tokens);
    return { loss, kept: stats };
  });
}
