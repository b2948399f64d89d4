/**
 * TensorFlow.js's side of bench:peer: each step kind timed on the kernels registered now
 * (native or stock wasm), median ms after one warm-up, with every step's loss (the
 * warm-up's first: the loss of the starting weights).
 */
import * as tf from '@tensorflow/tfjs';
import { median } from '../cases/types.ts';
import { dpoTrainer, generationRun, sftTrainer, type Trainer } from './steps.ts';
import type { Workload } from './workload.ts';

export const STEP_KINDS = ['sft', 'dpo', 'generation'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** One engine's figures for one step kind (the same fields bench/peer.py prints). */
export interface StepFigures {
  /** Median ms per step (per generation call) after the warm-up. */
  ms: number;
  /** Training steps: the loss of every step, warm-up included. */
  losses?: number[];
  /** Generation: new tokens per second over the batch. */
  tokens_per_second?: number;
}

export type EngineFigures = Partial<Record<StepKind, StepFigures>>;

/** Runs `run` 1 + `steps` times; the median ms of all but the first, and what each run returned. */
export async function timeSteps<T>(run: () => T | Promise<T>, steps: number): Promise<{ ms: number; results: T[] }> {
  const results: T[] = [await run()];
  const ms: number[] = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    results.push(await run());
    ms.push(performance.now() - start);
  }
  return { ms: median(ms), results };
}

async function timeTrainer(trainer: Trainer, steps: number): Promise<StepFigures> {
  try {
    const { ms, results } = await timeSteps(() => trainer.step(), steps);
    return { ms, losses: results };
  } finally {
    trainer.dispose();
  }
}

const measures: Record<StepKind, (workload: Workload, steps: number) => Promise<StepFigures>> = {
  sft: (workload, steps) => timeTrainer(sftTrainer(workload), steps),
  dpo: (workload, steps) => timeTrainer(dpoTrainer(workload), steps),
  async generation(workload, steps) {
    const { ms } = await timeSteps(generationRun(workload, 0), steps);
    return { ms, tokens_per_second: (workload.prompts.length * workload.maxNewTokens) / (ms / 1000) };
  },
};

/** Times `kinds` on the current kernels; `leakedTensors` counts tensors left behind (0 expected). */
export async function measureTfjs(
  workload: Workload,
  kinds: readonly StepKind[],
  steps: number,
  log: (line: string) => void,
): Promise<{ figures: EngineFigures; leakedTensors: number }> {
  const before = tf.memory().numTensors;
  const figures: EngineFigures = {};
  for (const kind of kinds) {
    log(kind);
    figures[kind] = await measures[kind](workload, steps);
  }
  return { figures, leakedTensors: tf.memory().numTensors - before };
}
