/**
 * Agreement with human raters (the DPO paper's Table 2): per group of rows, how often the
 * judge chose as the humans did, and how often the humans chose as each other did.
 *
 * One judge-human pair is the judge's verdict on a row against one annotator's: it counts
 * 1 when they are equal (both A, both B, or both a tie), 1/2 when one is a tie and the
 * other a choice, and 0 when they chose opposite responses. A row the judge gave no
 * usable answer for is left out (as in agreement.csv). Human-human pairs are every two
 * annotators of a row with two or more, scored the same way. The agreement is the mean
 * over the pairs, n the number of pairs, and the interval the 95% Wilson score interval of
 * that many trials with the agreements as successes (a half counting half). Pairs of one
 * row are not independent, so with several annotators the interval is somewhat narrow.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvTable, writeCsvTable, type ColumnTypes } from './csvTable.ts';
import { mean, wilsonInterval } from './statistics.ts';
import type { Random } from '../core/random.ts';
import type { Reward } from '../rewards/index.ts';
import type { Judge, Judgement, Verdict } from './judges/index.ts';
import type { HumanJudgment } from './humanLabels.ts';

export const HUMAN_AGREEMENT_FILE = 'human_agreement.csv';

/** 1 for equal verdicts, 1/2 for a tie against a choice, 0 for opposite choices. */
export function verdictAgreement(a: Verdict, b: Verdict): number {
  return 1 - Math.abs(a - b);
}

export interface HumanAgreementRow {
  [column: string]: number | string | null;
  /** The rows' group (`all` for rows without one). */
  group: string;
  /** `judge-human` or `human-human`. */
  raters: string;
  /** The judge's kind (reward, llm); empty for human-human. */
  judge: string;
  /** The llm judge's prompt_template (tldr: the paper's GPT-4 (C), tldr_simple: GPT-4 (S)); empty otherwise. */
  prompt_template: string;
  n_rows: number;
  /** The pairs of verdicts compared. */
  n_pairs: number;
  agreement: number;
  agreement_ci_low: number;
  agreement_ci_high: number;
  /** The share of the rows the judge (judge-human), or the annotators on average (human-human), preferred response A in, ties as half. */
  a_win_rate: number;
  /** Rows the judge gave no usable answer for (left out); 0 for human-human. */
  judge_failures: number;
}

export const HUMAN_AGREEMENT_COLUMNS: ColumnTypes<HumanAgreementRow> = {
  group: 'text',
  raters: 'text',
  judge: 'text',
  prompt_template: 'text',
  n_rows: 'number',
  n_pairs: 'number',
  agreement: 'number',
  agreement_ci_low: 'number',
  agreement_ci_high: 'number',
  a_win_rate: 'number',
  judge_failures: 'number',
};

export interface JudgeDescription {
  kind: string;
  promptTemplate: string;
}

/**
 * The judge's verdicts on the human-labelled pairs (response A in the policy's place,
 * each response scored by `reward` for a reward judge), set against the humans'. Every
 * row is judged: max_comparisons caps the win rates, not the human study.
 */
export async function judgeHumanLabels(rows: readonly HumanJudgment[], judge: Judge, description: JudgeDescription, reward: Reward, random: Random): Promise<HumanAgreementRow[]> {
  const prompts = rows.map((r) => r.prompt);
  const rewardsA = await reward.score(prompts, rows.map((r) => r.responseA));
  const rewardsB = await reward.score(prompts, rows.map((r) => r.responseB));
  const comparisons = rows.map((r, i) => ({ prompt: r.prompt, policy: r.responseA, baseline: r.responseB, policyReward: rewardsA[i], baselineReward: rewardsB[i] }));
  return humanAgreementRows(rows, await judge.judge(comparisons, random), description);
}

/** The rows of human_agreement.csv: per group (in order of first appearance), judge-human, then human-human where any row has two annotators. */
export function humanAgreementRows(rows: readonly HumanJudgment[], judgements: readonly Judgement[], judge: JudgeDescription): HumanAgreementRow[] {
  if (rows.length !== judgements.length) throw new Error(`cannot set ${judgements.length} judgements against ${rows.length} rows`);
  const groups = [...new Set(rows.map((r) => r.group))];
  return groups.flatMap((group) => {
    const indices = rows.flatMap((r, i) => (r.group === group ? [i] : []));
    const answered = indices.filter((i) => judgements[i].failure === undefined);
    const judgePairs = answered.flatMap((i) => rows[i].humans.map((h) => verdictAgreement(judgements[i].verdict, h)));
    const out = [
      summary(group, 'judge-human', judge, answered.length, judgePairs, mean(answered.map((i) => judgements[i].verdict)), indices.length - answered.length),
    ];
    const several = indices.filter((i) => rows[i].humans.length >= 2);
    if (several.length > 0) {
      const humanPairs = several.flatMap((i) => pairsOf(rows[i].humans).map(([a, b]) => verdictAgreement(a, b)));
      out.push(summary(group, 'human-human', { kind: '', promptTemplate: '' }, several.length, humanPairs, mean(several.map((i) => mean(rows[i].humans))), 0));
    }
    return out;
  });
}

function summary(group: string, raters: string, judge: JudgeDescription, nRows: number, pairs: number[], aWinRate: number, failures: number): HumanAgreementRow {
  const agreed = pairs.reduce((s, p) => s + p, 0);
  const ci = wilsonInterval(agreed, pairs.length);
  return {
    group,
    raters,
    judge: judge.kind,
    prompt_template: judge.promptTemplate,
    n_rows: nRows,
    n_pairs: pairs.length,
    agreement: pairs.length === 0 ? NaN : agreed / pairs.length,
    agreement_ci_low: ci.low,
    agreement_ci_high: ci.high,
    a_win_rate: aWinRate,
    judge_failures: failures,
  };
}

function pairsOf<T>(values: readonly T[]): [T, T][] {
  return values.flatMap((a, i) => values.slice(i + 1).map((b): [T, T] => [a, b]));
}

export function writeHumanAgreement(dir: string, rows: readonly HumanAgreementRow[]): Promise<void> {
  return writeCsvTable(join(dir, HUMAN_AGREEMENT_FILE), HUMAN_AGREEMENT_COLUMNS, rows);
}

/** The rows of an evaluation's human_agreement.csv; none when it has none (no human_labels). */
export async function readHumanAgreement(dir: string): Promise<HumanAgreementRow[]> {
  const path = join(dir, HUMAN_AGREEMENT_FILE);
  return existsSync(path) ? readCsvTable(path, HUMAN_AGREEMENT_COLUMNS) : [];
}
