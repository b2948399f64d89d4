/**
 * What a training loop derives from the resolved `train:` block every training stage has
 * (TrainSettings, generated from schemas/common.schema.json#/definitions/train).
 */
import type { TrainSettings } from '../core/settings/common.ts';
import { createOptimizer, type Optimizer } from './optimizer.ts';
import { learningRate } from './schedule.ts';

export type { TrainSettings };

export function optimizerFor(train: TrainSettings): Optimizer {
  return createOptimizer({ name: train.optimizer, weight_decay: train.weight_decay, beta1: train.beta1, beta2: train.beta2, eps: train.eps });
}

/** The number of optimizer steps: epochs over `examples` in batches, capped by max_steps. */
export function totalSteps(train: TrainSettings, examples: number): number {
  const perEpoch = Math.max(1, Math.ceil(examples / train.batch_size));
  const steps = Math.max(1, Math.round(perEpoch * train.epochs));
  return train.max_steps > 0 ? Math.min(steps, train.max_steps) : steps;
}

/** The learning rate of step `step` (from 0) of `total`. */
export function lrAt(train: TrainSettings, step: number, total: number): number {
  return learningRate(train, step, total);
}

/** Whether step `step` (counted from 1 after it is taken) is an evaluation, checkpoint or log step. */
export function isEvery(every: number, step: number, total: number): boolean {
  return step === total || (every > 0 && step % every === 0);
}
