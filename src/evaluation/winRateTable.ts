/**
 * win_rates.csv: one row per policy and temperature, the share of comparisons its
 * completion won against the baseline's (ties counted as half), its standard error and
 * its 95% Wilson score interval.
 */
import { join } from 'node:path';
import { readCsvTable, writeCsvTable, type ColumnTypes } from './csvTable.ts';
import { wilsonInterval } from './statistics.ts';

export const WIN_RATES_FILE = 'win_rates.csv';

export interface WinRateRow {
  [column: string]: number | string | null;
  policy: string;
  method: string;
  settings: string;
  checkpoint_step: number | null;
  temperature: number;
  /** The baseline: a policy's id, or `dataset` for the dataset's own completions. */
  baseline: string;
  /** reward or llm. */
  judge: string;
  win_rate: number;
  win_rate_se: number;
  /** The 95% Wilson score interval of win_rate (ties counted as half a win). */
  win_rate_ci_low: number;
  win_rate_ci_high: number;
  n_comparisons: number;
  ties: number;
  /** Comparisons the judge gave no usable answer for (counted as ties). */
  judge_failures: number;
}

export const WIN_RATE_COLUMNS: ColumnTypes<WinRateRow> = {
  policy: 'text',
  method: 'text',
  settings: 'text',
  checkpoint_step: 'number',
  temperature: 'number',
  baseline: 'text',
  judge: 'text',
  win_rate: 'number',
  win_rate_se: 'number',
  win_rate_ci_low: 'number',
  win_rate_ci_high: 'number',
  n_comparisons: 'number',
  ties: 'number',
  judge_failures: 'number',
};

export function writeWinRates(dir: string, rows: readonly WinRateRow[]): Promise<void> {
  return writeCsvTable(join(dir, WIN_RATES_FILE), WIN_RATE_COLUMNS, rows);
}

/** The rows of win_rates.csv (or of `file`, with its columns); a file written before the interval columns gets them from win_rate and n_comparisons. */
export async function readWinRates(dir: string, file = WIN_RATES_FILE): Promise<WinRateRow[]> {
  const rows = await readCsvTable(join(dir, file), WIN_RATE_COLUMNS, ['win_rate_ci_low', 'win_rate_ci_high']);
  return rows.map((row) => {
    if (row.win_rate_ci_low !== null && row.win_rate_ci_high !== null) return row;
    const { low, high } = wilsonInterval(row.win_rate * row.n_comparisons, row.n_comparisons);
    return { ...row, win_rate_ci_low: low, win_rate_ci_high: high };
  });
}
