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
  /** The mean sequence-level KL, log pi(y|x) - log pi_ref(y|x) (best-of-N: the measured estimate). */
  kl_mean: number;
  kl_se: number | null;
  /** Best-of-N only: the closed-form bound log N - (N - 1) / N. */
  kl_bound: number | null;
  length_mean: number;
  distinct_1: number;
  distinct_2: number;
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
  kl_bound: 'number',
  length_mean: 'number',
  distinct_1: 'number',
  distinct_2: 'number',
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
