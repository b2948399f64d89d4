/**
 * The report's tables of the DPO paper's Table 1 (out of distribution) and Table 2 (judge
 * agreement with humans), each beside the paper's figures.
 *
 * Table 1 (Rafailov et al., 2023, Section 6.3): GPT-4 win rates against the ground-truth
 * highlights of CNN/DailyMail articles, for the TL;DR-trained policies: DPO 0.36 at
 * temperature 0 and 0.31 at 0.25, PPO 0.26 and 0.23.
 * Table 2 (Section 6.4): per-judgment agreement, in percent, on TL;DR summaries of DPO,
 * SFT and PPO-1 each compared with PPO's at temperature 0: GPT-4 (S)-H 70, 77, 86;
 * GPT-4 (C)-H 67, 79, 85; H-H 65, –, 87. (Figures as printed in the paper's Table 2; the
 * same table gives the win rates: GPT-4 (S) 47, 27, 13; GPT-4 (C) 54, 32, 12; humans 58,
 * 43, 17, with 272, 122 and 199 respondents.)
 */
import type { HumanAgreementRow } from '../evaluation/humanAgreement.ts';
import type { WinRateRow } from '../evaluation/winRateTable.ts';
import { formatMeanSe, formatNumber, markdownTable } from './markdownTable.ts';
import { methodName } from './plots.ts';

/** Table 1: method -> temperature -> the paper's win rate. */
export const PAPER_TABLE_1: Record<string, Record<number, number>> = {
  dpo: { 0: 0.36, 0.25: 0.31 },
  ppo: { 0: 0.26, 0.25: 0.23 },
};

/** Table 2: raters -> column -> the paper's agreement in percent (null: not measured, "–" in the paper). */
export const PAPER_TABLE_2: Record<string, Record<string, number | null>> = {
  'GPT-4 (S)-H': { DPO: 70, SFT: 77, 'PPO-1': 86 },
  'GPT-4 (C)-H': { DPO: 67, SFT: 79, 'PPO-1': 85 },
  'H-H': { DPO: 65, SFT: null, 'PPO-1': 87 },
};

/** The paper's column for a group label (DPO, SFT, PPO-1; case and a bare `ppo` forgiven). */
function paperColumn(group: string): string | undefined {
  const g = group.trim().toLowerCase();
  return g === 'dpo' ? 'DPO' : g === 'sft' ? 'SFT' : g === 'ppo-1' || g === 'ppo' || g === 'ppo1' ? 'PPO-1' : undefined;
}

/** The paper's row for a human_agreement.csv row: the llm judge's template names GPT-4 (S) or (C). */
function paperRaters(row: HumanAgreementRow): string | undefined {
  if (row.raters === 'human-human') return 'H-H';
  if (row.judge !== 'llm') return undefined;
  return row.prompt_template === 'tldr_simple' ? 'GPT-4 (S)-H' : row.prompt_template === 'tldr' ? 'GPT-4 (C)-H' : undefined;
}

export function humanAgreementSection(rows: readonly HumanAgreementRow[]): string {
  const body = rows.map((r) => {
    const raters = paperRaters(r);
    const column = paperColumn(r.group);
    const paper = raters && column ? PAPER_TABLE_2[raters][column] : undefined;
    const judge = r.raters === 'human-human' ? 'human vs human' : `${r.judge}${r.prompt_template ? ` (${r.prompt_template})` : ''} vs human`;
    return [
      r.group,
      judge,
      r.n_rows,
      r.n_pairs,
      `${formatNumber(r.agreement)} [${formatNumber(r.agreement_ci_low, 2)}, ${formatNumber(r.agreement_ci_high, 2)}]`,
      paper === undefined ? '–' : paper === null ? '– (not measured)' : `${paper}% (${raters}, ${column})`,
    ];
  });
  const failures = rows.reduce((n, r) => n + r.judge_failures, 0);
  return [
    '## Judge agreement with humans (Table 2)\n',
    `The share of judgments on which the judge chose as a human did (judge vs human: every annotator of every row the judge answered), and on which two humans of the same row chose alike (human vs human), by group: equal choices agree, a tie against a choice counts half; in brackets the 95% Wilson interval (pairs of one row are not independent, so it is somewhat narrow with several annotators). Beside it the paper's figure for the same raters and column (Rafailov et al., 2023, Table 2: TL;DR summaries of DPO, SFT and PPO-1 against PPO's at temperature 0; GPT-4 (S) is prompt_template tldr_simple, GPT-4 (C) is tldr).${failures > 0 ? ` The judge gave no usable answer on ${failures} rows (left out).` : ''}\n`,
    markdownTable(['group', 'raters', 'rows', 'pairs', 'agreement', 'paper'], body),
  ].join('\n');
}

export function outOfDistributionSection(rows: readonly WinRateRow[]): string {
  const temperatures = [...new Set(rows.map((r) => r.temperature))].sort((a, b) => a - b);
  const policies = [...new Set(rows.map((r) => r.policy))];
  const body = policies.map((policy) => {
    const ofPolicy = rows.filter((r) => r.policy === policy);
    const paper = PAPER_TABLE_1[ofPolicy[0].method];
    return [
      policy,
      methodName(ofPolicy[0].method),
      ...temperatures.map((t) => {
        const row = ofPolicy.find((r) => r.temperature === t);
        return row ? `${formatMeanSe(row.win_rate, row.win_rate_se)} [${formatNumber(row.win_rate_ci_low, 2)}, ${formatNumber(row.win_rate_ci_high, 2)}]` : '–';
      }),
      paper ? Object.entries(paper).map(([t, v]) => `${v} (T = ${t})`).join(', ') : '–',
    ];
  });
  const judges = [...new Set(rows.map((r) => r.judge))].join(', ');
  return [
    '## Out of distribution (Table 1)\n',
    `Win rates on a second prompt set, against its own reference completions (win_rates_ood.csv; ties count as half, ± one standard error, in brackets the 95% Wilson interval), judged by ${judges === 'reward' ? 'the ground-truth reward' : judges}, by sampling temperature. Beside them the paper's figures (Rafailov et al., 2023, Table 1: TL;DR-trained policies on CNN/DailyMail articles against the ground-truth highlights, judged by GPT-4).\n`,
    markdownTable(['policy', 'method', ...temperatures.map((t) => `T = ${t}`), 'paper'], body),
  ].join('\n');
}
