/**
 * What a training stage hands the training loop (trainLoop.ts): a plain object with its
 * models, its step and its evaluation. The stage says what a step computes; the loop
 * decides the learning rate, clips, applies the non-finite rule, steps the optimizer,
 * writes the metrics rows, evaluates, checkpoints, reports progress and ticks.
 */
import type { GPT } from '../model/index.ts';
import type { Tokenizer } from '../tokenizer/index.ts';
import type { Checkpoint } from './checkpoints.ts';
import type { Optimizer } from './optimizer.ts';
import type { TrainSettings } from './settings.ts';
import type { LossFunctions, UpdateResult } from './update.ts';

/**
 * One optimizer update on the loss `lossOf` gives, or on the sum of its micro-batches'
 * losses (gradient accumulation; see update.ts); the loop stops the stage if it is not finite.
 */
export type Update = (lossOf: LossFunctions) => Promise<UpdateResult>;

export interface Trainee {
  train: TrainSettings;
  /** The steps in all: optimizer steps, or PPO's iterations. */
  total: number;
  /** The optimizer updates each step takes (PPO: ppo_epochs times a rollout's minibatches; else 1); the lr schedule counts updates. */
  updatesPerStep: number;
  /** Where the stage starts: 0, or the step of the checkpoint it resumed from (resume.ts). */
  startStep: number;
  resumedFrom: Checkpoint | undefined;
  /** metrics.csv's columns; the first is the step column (`step`, PPO's `iteration`). */
  columns: string[];
  optimizer: Optimizer;
  /** The models whose trainable parameters the updates change (PPO: the policy and a value model of its own). */
  trained: GPT[];
  /** What a checkpoint saves as a model folder, with its tokenizer. */
  model: GPT;
  tokenizer: Tokenizer;
  /**
   * Step `step` (from 0): its batch, and `update` once per optimizer update (PPO: the
   * rollout, then one update per minibatch). Returns what the progress line shows.
   */
  step(step: number, update: Update): Promise<Record<string, number>>;
  /** The training columns of the metrics row logged after `step` (the loop adds the step and eval/ columns). */
  row(step: number): Record<string, number | undefined>;
  /** A held-out evaluation after `step`, logged as eval/<name>; absent: the stage does not evaluate. */
  evaluate?(step: number): Promise<Record<string, number>>;
  /** Whether the starting model is evaluated too, as a row at step 0 (sft). */
  evaluateAtStart?: boolean;
  /** What a checkpoint keeps besides weights and optimizer: the random state and anything else the stage carries. */
  checkpointState(step: number): { random: number[]; extra: Record<string, unknown> };
  /** Writes what the stage keeps beside each checkpoint, before its folder (PPO's value function). */
  saveBeside?(step: number): Promise<void>;
}
