/**
 * frontier.csv: one row per policy and sampling temperature, the reward-KL frontier's
 * points with the statistics beside them.
 */
import { join } from 'node:path';
import { readCsvTable, writeCsvTable, type ColumnTypes } from './csvTable.ts';

export const FRONTIER_FILE = 'frontier.csv';

export interface FrontierRow {
  [column: string]: number | string | null;
  /** The policy (`dpo[beta=0.1]`, `dpo[beta=0.1]@step=40`, `best_of_n@n=16`). */
  policy: string;
  /** The stage instance it comes from: the points of one instance make one line of the plot. */
  instance: string;
  /** sft, dpo, ppo, ppo_gt, unlikelihood, preferred_ft, best_of_n. */
  method: string;
  settings: string;
  checkpoint_step: number | null;
  temperature: number;
  reward_mean: number;
  reward_se: number;
  /**
   * The mean sequence-level KL(pi_T || pi_ref), the exact per-step KL summed along each
   * sample (src/evaluation/kl.ts); best-of-N: its stage's measured estimate.
   */
  kl_mean: number;
  kl_se: number | null;
  /** The mean of the sample log-ratio log pi_T(y|x) - log pi_ref(y|x) (same expectation, more variance); empty for best-of-N. */
  kl_sample_mean: number | null;
  kl_sample_se: number | null;
  /** Best-of-N only: the closed-form bound log N - (N - 1) / N. */
  kl_bound: number | null;
  /** Completion length in tokens, eos not counted. */
  length_mean: number;
  /** The share of completions that ended with eos (the rest reached max_new_tokens). */
  eos_rate: number;
  distinct_1: number;
  distinct_2: number;
  /** The share of prompts whose samples are all the same completion (empty with one sample per prompt). */
  identical_share: number | null;
  n_prompts: number;
  n_samples: number;
}

export const FRONTIER_COLUMNS: ColumnTypes<FrontierRow> = {
  policy: 'text',
  method: 'text',
  settings: 'text',
  checkpoint_step: 'number',
  temperature: 'number',
  reward_mean: 'number',
  reward_se: 'number',
  kl_mean: 'number',
  kl_se: 'number',
  kl_sample_mean: 'number',
  kl_sample_se: 'number',
  kl_bound: 'number',
  length_mean: 'number',
  eos_rate: 'number',
  distinct_1: 'number',
  distinct_2: 'number',
  identical_share: 'number',
  n_prompts: 'number',
  n_samples: 'number',
  instance: 'text',
};

export function writeFrontier(dir: string, rows: readonly FrontierRow[]): Promise<void> {
  return writeCsvTable(join(dir, FRONTIER_FILE), FRONTIER_COLUMNS, rows);
}

export function readFrontier(dir: string): Promise<FrontierRow[]> {
  return readCsvTable(join(dir, FRONTIER_FILE), FRONTIER_COLUMNS);
}
