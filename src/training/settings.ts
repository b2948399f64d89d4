/**
 * The resolved `train:` block every training stage has (schemas/common.schema.json
 * #/definitions/train), and what a training loop derives from it.
 */
import { createOptimizer, type Optimizer, type OptimizerName } from './optimizer.ts';
import { learningRate, type DecayName } from './schedule.ts';

export interface TrainSettings {
  optimizer: OptimizerName;
  lr: number;
  weight_decay: number;
  beta1: number;
  beta2: number;
  eps: number;
  warmup_steps: number;
  decay: DecayName;
  min_lr_ratio: number;
  max_grad_norm: number;
  batch_size: number;
  epochs: number;
  max_steps: number;
  eval_every: number;
  eval_size: number;
  checkpoint_every: number;
  log_every: number;
}

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
