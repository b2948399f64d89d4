/**
 * Judge agreement (the DPO paper's Table 2, there GPT-4 against human raters): the share
 * of comparisons on which two judges chose the same completion. Here the second judge is
 * the ground-truth reward (the higher-scored completion wins), which every comparison
 * already carries; agreement.csv has one row per policy and temperature whose win rate an
 * llm judge decided.
 *
 * Two verdicts agree when they are equal (both the policy, both the baseline, or both a
 * tie). A comparison either judge gave no usable answer for is left out, since its tie
 * is no choice; a tie of the reward against a choice of the llm is a disagreement.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvTable, writeCsvTable, type ColumnTypes } from './csvTable.ts';
import type { Judgement } from './judges/index.ts';

export const AGREEMENT_FILE = 'agreement.csv';

export interface Agreement {
  /** Comparisons both judges answered. */
  n: number;
  /** The share of them with equal verdicts; NaN when n is 0. */
  agreement: number;
}

/** The agreement of two judges' judgements of the same comparisons, in the same order. */
export function agreementOf(a: readonly Judgement[], b: readonly Judgement[]): Agreement {
  if (a.length !== b.length) throw new Error(`cannot compare ${a.length} judgements with ${b.length}`);
  let n = 0;
  let agree = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i].failure !== undefined || b[i].failure !== undefined) continue;
    n++;
    if (a[i].verdict === b[i].verdict) agree++;
  }
  return { n, agreement: n === 0 ? NaN : agree / n };
}

export interface AgreementRow {
  [column: string]: number | string | null;
  policy: string;
  method: string;
  settings: string;
  checkpoint_step: number | null;
  temperature: number;
  baseline: string;
  /** The judge of the win rate (llm). */
  judge: string;
  /** The judge it is set against: `reward` (the ground-truth reward). */
  other_judge: string;
  /** Comparisons both answered. */
  n_compared: number;
  agreement: number;
}

export const AGREEMENT_COLUMNS: ColumnTypes<AgreementRow> = {
  policy: 'text',
  method: 'text',
  settings: 'text',
  checkpoint_step: 'number',
  temperature: 'number',
  baseline: 'text',
  judge: 'text',
  other_judge: 'text',
  n_compared: 'number',
  agreement: 'number',
};

export function writeAgreement(dir: string, rows: readonly AgreementRow[]): Promise<void> {
  return writeCsvTable(join(dir, AGREEMENT_FILE), AGREEMENT_COLUMNS, rows);
}

/** The rows of an evaluation's agreement.csv; none when it has none (no llm judged). */
export async function readAgreement(dir: string): Promise<AgreementRow[]> {
  const path = join(dir, AGREEMENT_FILE);
  return existsSync(path) ? readCsvTable(path, AGREEMENT_COLUMNS) : [];
}
