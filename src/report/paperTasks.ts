/**
 * "Against the paper" for the DPO paper's summarization and dialogue experiments
 * (Rafailov et al., 2023, Section 6.2): claims checked on this run's win rates against
 * the dataset's own completions (win_rates.csv, final models only).
 *
 *   TL;DR (Figure 2, right): against the reference summaries, DPO's best win rate (about
 *   61%, at temperature 0) is above PPO's best (about 57%, at temperature 0) and above
 *   best-of-128's; and DPO is more robust to the sampling temperature than PPO, whose
 *   win rate falls toward the base model's at high temperature.
 *   Anthropic HH (Figure 3): against the chosen responses of the test set, DPO is the
 *   only computationally efficient method whose win rate rises above 50% (at its best
 *   temperature), and it is above Preferred-FT's and the best-of-128 baseline's across
 *   the temperatures.
 *
 * Which experiment a run is: the source kind of the dataset the evaluation evaluated on
 * (evaluation.json's source_kind; tldr or hh_rlhf). That is the robust signal: the
 * pipeline's name is the user's to choose (a copy of tldr-tiny.yaml under another name is
 * still TL;DR) and says nothing about the data, while the source says what the prompts
 * and the reference completions are. Any other source, or an evaluation.json written
 * before the kind was recorded, gets the IMDb sentiment claims (./againstPaper.ts).
 */
import type { WinRateRow } from '../evaluation/winRateTable.ts';
import type { ClaimCheck } from './againstPaper.ts';
import { formatNumber } from './markdownTable.ts';

export type PaperTask = 'imdb' | 'tldr' | 'hh';

const TASK_OF_SOURCE: Record<string, PaperTask> = { tldr: 'tldr', hh_rlhf: 'hh' };

export function paperTaskOf(sourceKind: string | null | undefined): PaperTask {
  return (sourceKind && Object.hasOwn(TASK_OF_SOURCE, sourceKind) ? TASK_OF_SOURCE[sourceKind] : undefined) ?? 'imdb';
}

/** The win rates the claims read: final models against the dataset's own completions. */
function againstDataset(rows: readonly WinRateRow[]): WinRateRow[] {
  return rows.filter((r) => r.baseline === 'dataset' && r.checkpoint_step === null && Number.isFinite(r.win_rate));
}

/** The best row of a method at each temperature (the best of its policies there), by increasing temperature. */
export function bestByTemperature(rows: readonly WinRateRow[], method: string): WinRateRow[] {
  const best = new Map<number, WinRateRow>();
  for (const r of rows) {
    if (r.method !== method) continue;
    const held = best.get(r.temperature);
    if (!held || r.win_rate > held.win_rate) best.set(r.temperature, r);
  }
  return [...best.values()].sort((a, b) => a.temperature - b.temperature);
}

/** A method's best win rate over its policies and temperatures; undefined when it has none. */
export function bestOf(rows: readonly WinRateRow[], method: string): WinRateRow | undefined {
  return bestByTemperature(rows, method).reduce<WinRateRow | undefined>((a, b) => (a === undefined || b.win_rate > a.win_rate ? b : a), undefined);
}

const NAMES: Record<string, string> = { dpo: 'DPO', ppo: 'PPO', best_of_n: 'best-of-N', preferred_ft: 'Preferred-FT', sft: 'SFT', unlikelihood: 'Unlikelihood', ppo_gt: 'PPO-GT' };
const nameOf = (method: string) => NAMES[method] ?? method;
const describe = (r: WinRateRow) => `${formatNumber(r.win_rate)} at T = ${r.temperature} (${r.policy})`;

/** "DPO's best win rate is above `other`'s best." */
function bestAbove(rows: readonly WinRateRow[], other: string, claim: string): ClaimCheck {
  const dpo = bestOf(rows, 'dpo');
  const them = bestOf(rows, other);
  if (!dpo || !them) return { claim, verdict: 'not measured', figures: `no ${[dpo ? '' : 'DPO', them ? '' : nameOf(other)].filter(Boolean).join(' and ')} win rates against the dataset's completions` };
  return { claim, verdict: dpo.win_rate > them.win_rate ? 'borne out' : 'not borne out', figures: `best win rates: DPO ${describe(dpo)}, ${nameOf(other)} ${describe(them)}` };
}

/** The fall of a method's best policy from its best temperature to the highest temperature it was evaluated at. */
function fallOf(rows: readonly WinRateRow[], method: string): { best: WinRateRow; hottest: WinRateRow } | undefined {
  const best = bestOf(rows, method);
  if (!best) return undefined;
  const ofPolicy = rows.filter((r) => r.policy === best.policy);
  const hottest = ofPolicy.reduce((a, b) => (b.temperature > a.temperature ? b : a));
  return hottest.temperature === Math.min(...ofPolicy.map((r) => r.temperature)) ? undefined : { best, hottest };
}

function robustness(rows: readonly WinRateRow[]): ClaimCheck {
  const claim = "DPO is more robust to the sampling temperature than PPO: from its best temperature to the highest evaluated, DPO's win rate falls less than PPO's (the paper: PPO's falls toward the base model's at high temperature)";
  const dpo = fallOf(rows, 'dpo');
  const ppo = fallOf(rows, 'ppo');
  if (!dpo || !ppo) return { claim, verdict: 'not measured', figures: `needs DPO and PPO win rates at two or more temperatures (${[dpo ? '' : 'DPO', ppo ? '' : 'PPO'].filter(Boolean).join(' and ')} lacking)` };
  const drop = (f: { best: WinRateRow; hottest: WinRateRow }) => f.best.win_rate - f.hottest.win_rate;
  const show = (name: string, f: { best: WinRateRow; hottest: WinRateRow }) => `${name} ${formatNumber(f.best.win_rate)} at T = ${f.best.temperature} to ${formatNumber(f.hottest.win_rate)} at T = ${f.hottest.temperature} (−${formatNumber(drop(f))})`;
  const sft = rows.find((r) => r.method === 'sft' && r.temperature === ppo.hottest.temperature);
  const base = sft ? `; SFT ${formatNumber(sft.win_rate)} at T = ${sft.temperature}` : '';
  return { claim, verdict: drop(dpo) < drop(ppo) ? 'borne out' : 'not borne out', figures: `${show('DPO', dpo)}; ${show('PPO', ppo)}${base}` };
}

export function tldrChecks(winRates: readonly WinRateRow[]): ClaimCheck[] {
  const rows = againstDataset(winRates);
  return [
    bestAbove(rows, 'ppo', "DPO's best win rate against the reference summaries is above PPO's best (the paper: about 61% against about 57%, both at temperature 0)"),
    bestAbove(rows, 'best_of_n', "DPO's best win rate is above best-of-N's best (the paper's best of 128)"),
    robustness(rows),
  ];
}

/** At every temperature where both were evaluated, DPO's best win rate is above (or, with `orEqual`, at least) `level(t)`. */
function aboveAcross(dpo: readonly WinRateRow[], level: (t: number) => WinRateRow | undefined, name: string, claim: string, orEqual: boolean): ClaimCheck {
  const pairs = dpo.flatMap((d) => {
    const other = level(d.temperature);
    return other ? [{ d, other }] : [];
  });
  if (pairs.length === 0) return { claim, verdict: 'not measured', figures: `no temperature with both DPO and ${name} win rates against the chosen responses` };
  const holds = (p: (typeof pairs)[number]) => (orEqual ? p.d.win_rate >= p.other.win_rate : p.d.win_rate > p.other.win_rate);
  const failing = pairs.filter((p) => !holds(p));
  const figures = pairs.map((p) => `T = ${p.d.temperature}: DPO ${formatNumber(p.d.win_rate)} vs ${name} ${formatNumber(p.other.win_rate)}`).join('; ');
  return { claim, verdict: failing.length === 0 ? 'borne out' : 'not borne out', figures: `${pairs.length - failing.length} of ${pairs.length} temperatures hold: ${figures}` };
}

export function hhChecks(winRates: readonly WinRateRow[]): ClaimCheck[] {
  const rows = againstDataset(winRates);
  const onlyClaim = 'DPO is the only method that improves over the chosen responses of the test set: its best win rate is above 50%, and no other method\'s is (best-of-N, which samples N completions per prompt, left out as in the paper\'s "computationally efficient")';
  const dpoBest = bestOf(rows, 'dpo');
  const others = [...new Set(rows.map((r) => r.method))].filter((m) => m !== 'dpo' && m !== 'best_of_n').map((m) => bestOf(rows, m)!);
  const only: ClaimCheck = !dpoBest
    ? { claim: onlyClaim, verdict: 'not measured', figures: 'no DPO win rates against the chosen responses' }
    : {
        claim: onlyClaim,
        verdict: dpoBest.win_rate > 0.5 && others.every((o) => o.win_rate <= 0.5) ? 'borne out' : 'not borne out',
        figures: [`DPO ${describe(dpoBest)}`, ...others.map((o) => `${nameOf(o.method)} ${describe(o)}`)].join('; '),
      };
  const dpo = bestByTemperature(rows, 'dpo');
  const preferred = bestByTemperature(rows, 'preferred_ft');
  const bestOfN = bestOf(rows, 'best_of_n');
  return [
    only,
    aboveAcross(dpo, (t) => preferred.find((r) => r.temperature === t), 'Preferred-FT', "DPO's win rate against the chosen responses is above Preferred-FT's at every temperature evaluated for both", false),
    aboveAcross(dpo, () => bestOfN, 'best-of-N', "DPO's win rate is at or above best-of-N's best (the paper's best of 128) at every temperature DPO was evaluated at", true),
  ];
}

/** The claims of a task, and the words that introduce them in the report. */
export const TASK_CLAIMS: Record<Exclude<PaperTask, 'imdb'>, { intro: string; checks: (winRates: readonly WinRateRow[]) => ClaimCheck[] }> = {
  tldr: {
    intro:
      "The DPO paper (Rafailov et al., 2023, Section 6.2 and Figure 2 right) finds on TL;DR summarization that DPO's best GPT-4 win rate against the reference summaries, about 61% at temperature 0, exceeds PPO's best, about 57% at temperature 0, and best-of-128's, and that DPO is much more robust to the sampling temperature than PPO, whose win rate degrades toward the base model's at high temperatures. Checked here on this run's win rates against the dataset's own completions (final models; the best of a method's policies at each temperature), judged as win_rates.csv says.",
    checks: tldrChecks,
  },
  hh: {
    intro:
      "The DPO paper (Rafailov et al., 2023, Section 6.2 and Figure 3) finds on Anthropic HH single-turn dialogue that DPO is the only computationally efficient method that improves over the chosen responses of the test set (win rate above 50% at its best temperature), and that its win rate against them is above Preferred-FT's and comparable to or above the best-of-128 baseline's across temperatures. Checked here on this run's win rates against the dataset's own completions (final models; the best of a method's policies at each temperature), judged as win_rates.csv says.",
    checks: hhChecks,
  },
};
