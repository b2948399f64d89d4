/**
 * PPO's optimisation phase: shuffled minibatches of a rollout, and one step on each of
 * the clipped surrogate policy loss plus vf_coef times the clipped value loss
 * (src/losses/ppoLosses.ts), with global-norm gradient clipping.
 */
import * as tf from '@tensorflow/tfjs';
import { policyLoss, valueLoss } from '../losses/ppoLosses.ts';
import type { Random } from '../core/random.ts';
import { clipByGlobalNorm } from '../training/clip.ts';
import { disposeGradients, modelGradients } from '../training/gradients.ts';
import type { Optimizer } from '../training/optimizer.ts';
import { disposeBatch, rolloutBatch, scatterTensor, type RolloutRow } from './batch.ts';
import { policyAndValues } from './forward.ts';
import { trainedModels, trainedVariables, type PpoModels } from './models.ts';

/** The rollout rows a minibatch trains on, with what the rollout measured (ragged, one number per response token). */
export interface PpoExamples {
  rows: RolloutRow[];
  oldLogprobs: number[][];
  oldValues: number[][];
  advantages: number[][];
  returns: number[][];
}

export interface PpoStepSettings {
  cliprange: number;
  cliprangeValue: number;
  vfCoef: number;
  /** 0 turns clipping off. */
  maxGradNorm: number;
  lr: number;
}

/** What one step measured (each a mean over the minibatch's response tokens). */
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
 */
export function ppoLoss(
  models: PpoModels,
  examples: PpoExamples,
  pad: number,
  settings: Omit<PpoStepSettings, 'maxGradNorm' | 'lr'>,
  width = 0,
): { loss: tf.Scalar; stats: Record<Exclude<keyof PpoStepStats, 'grad_norm' | 'loss'>, tf.Scalar> } {
  const batch = rolloutBatch(examples.rows, pad, width);
  try {
    return tf.tidy(() => {
      const T = batch.ids.shape[1];
      const { logprobs, values } = policyAndValues(models, batch); // (B, T-1) each
      const column = (ragged: number[][]) => scatterTensor(ragged, examples.rows, T); // (B, T-1)
      const policy = policyLoss({ logprobs, oldLogprobs: column(examples.oldLogprobs), advantages: column(examples.advantages), mask: batch.mask }, settings.cliprange);
      const value = valueLoss({ values, oldValues: column(examples.oldValues), returns: column(examples.returns), mask: batch.mask }, settings.cliprangeValue);
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

/** One optimisation step on a minibatch: loss, gradients, clip, optimizer step. */
export function ppoStep(models: PpoModels, optimizer: Optimizer, examples: PpoExamples, pad: number, settings: PpoStepSettings): PpoStepStats {
  const stats: Record<string, tf.Scalar> = {};
  const { loss, grads } = modelGradients(trainedModels(models), () => {
    const out = ppoLoss(models, examples, pad, settings);
    for (const [name, value] of Object.entries(out.stats)) stats[name] = tf.keep(value);
    return out.loss;
  });
  const clipped = clipByGlobalNorm(grads, settings.maxGradNorm);
  if (Number.isFinite(loss)) optimizer.step(trainedVariables(models), clipped.grads, settings.lr);
  disposeGradients(clipped.grads);
  const values = Object.fromEntries(Object.entries(stats).map(([name, value]) => [name, value.dataSync()[0]]));
  tf.dispose(Object.values(stats));
  return { loss, ...values, grad_norm: clipped.norm } as PpoStepStats;
}
