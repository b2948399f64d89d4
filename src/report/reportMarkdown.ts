/**
 * report.md: the frontier table, the signs of degeneration against SFT, the win rates by
 * temperature (and, where measured, the judge's agreement with humans and the
 * out-of-distribution win rates beside the paper's Tables 2 and 1), the training summary
 * of every stage, and the paper's claims for the run's experiment checked against this
 * run (with any policy whose reward gain came with collapse flagged).
 */
import type { FrontierRow } from '../evaluation/frontierTable.ts';
import type { WinRateRow } from '../evaluation/winRateTable.ts';
import type { AgreementRow } from '../evaluation/agreement.ts';
import type { HumanAgreementRow } from '../evaluation/humanAgreement.ts';
import { checkAgainstPaper, checkTemperature, type ClaimCheck } from './againstPaper.ts';
import { COLLAPSE_RATIO, degenerationOf, type Degeneration } from './degeneration.ts';
import { formatMeanSe, formatNumber, markdownTable } from './markdownTable.ts';
import { methodName } from './plots.ts';
import { describeSweepClaim, envelopeSpread, sweepClaims, type SweepRun } from './sweepClaims.ts';
import { SUMMARY_COLUMNS, type StageSummary } from './trainingSummary.ts';
import { humanAgreementSection, outOfDistributionSection } from './paperTables.ts';
import { paperTaskOf, TASK_CLAIMS } from './paperTasks.ts';

export interface ReportInputs {
  title: string;
  /** Lines under the title (where the figures come from). */
  about: string[];
  frontier: FrontierRow[];
  winRates: WinRateRow[];
  /** An llm judge's agreement with the ground-truth reward (agreement.csv); empty when none judged. */
  agreement: AgreementRow[];
  /** The judge against human labels (human_agreement.csv); absent or empty when none were given. */
  humanAgreement?: HumanAgreementRow[];
  /** Win rates on the out-of-distribution prompts (win_rates_ood.csv); absent or empty when not measured. */
  winRatesOod?: WinRateRow[];
  /** The evaluated dataset's source kind (evaluation.json), which picks the paper's claims (./paperTasks.ts); absent: IMDb's. */
  sourceKind?: string | null;
  stages: StageSummary[];
  /** The temperature of the paper checks (see checkTemperature). */
  temperature?: number;
  /** A command-line sweep's runs, each with its own frontier: the claims are checked per run. */
  sweep?: SweepRun[];
}

export const FRONTIER_SVG = 'frontier.svg';
export const WIN_RATES_SVG = 'win_rates.svg';

export function reportMarkdown(inputs: ReportInputs): string {
  const degeneration = degenerationOf(inputs.frontier);
  const task = paperTaskOf(inputs.sourceKind);
  const human = inputs.humanAgreement ?? [];
  const ood = inputs.winRatesOod ?? [];
  return [
    `# ${inputs.title}\n`,
    ...inputs.about.map((line) => `${line}\n`),
    frontierSection(inputs.frontier),
    degenerationSection(degeneration),
    winRateSection(inputs.winRates),
    ...(inputs.agreement.length > 0 ? [agreementSection(inputs.agreement)] : []),
    ...(human.length > 0 ? [humanAgreementSection(human)] : []),
    ...(ood.length > 0 ? [outOfDistributionSection(ood)] : []),
    trainingSection(inputs.stages),
    task !== 'imdb' ? taskSection(task, inputs, degeneration) : inputs.sweep ? sweepSection(inputs.sweep, inputs.temperature, degeneration) : paperSection(inputs, degeneration),
  ].join('\n');
}

function frontierSection(rows: readonly FrontierRow[]): string {
  const header = ['policy', 'method', 'settings', 'step', 'T', 'reward', 'KL', 'KL (sample)', 'KL bound', 'length', 'distinct-2', 'prompts', 'samples'];
  const body = rows.map((r) => [
    r.policy,
    methodName(r.method),
    r.settings,
    r.checkpoint_step,
    r.temperature,
    formatMeanSe(r.reward_mean, r.reward_se),
    formatMeanSe(r.kl_mean, r.kl_se),
    formatMeanSe(r.kl_sample_mean, r.kl_sample_se),
    r.kl_bound,
    r.length_mean,
    r.distinct_2,
    r.n_prompts,
    r.n_samples,
  ]);
  return [
    '## Frontier\n',
    'Each row is a policy sampled at temperature T on the held-out prompts: the mean ground-truth reward and, over the same samples, the KL of the distribution sampled (softmax(logits / T), restricted by top-k / top-p when set) to the reference at temperature 1, ± one standard error. **KL** is the exact per-step KL summed along each completion, Σ_t KL(π_T(·|x,y<t) ‖ π_ref(·|x,y<t)) over the vocabulary (never negative, lower variance): the frontier\'s x-axis. **KL (sample)** is the sample log-ratio log π_T(y|x) − log π_ref(y|x); both have the same expectation and both count the end-of-sequence token when it was sampled. Best-of-N gives the KL measured by its stage (from samples not used in the choice) beside the closed-form bound log N − (N−1)/N. Length is in tokens (eos not counted); distinct-2 is the share of distinct bigrams among the completions.\n',
    rows.length > 0 ? markdownTable(header, body) : '_No frontier points._\n',
    `![Reward against KL](${FRONTIER_SVG})\n`,
  ].join('\n');
}

function degenerationSection(points: readonly Degeneration[]): string {
  const header = ['policy', 'method', 'T', 'reward − SFT', 'length ÷ SFT', 'distinct-2 ÷ SFT', 'ends with eos', 'prompts all identical', 'collapse'];
  const ratio = (value: number | null) => (value === null ? null : `${formatNumber(value)}×`);
  const body = points.map((d) => [
    d.row.policy,
    methodName(d.row.method),
    d.row.temperature,
    d.rewardGain,
    ratio(d.lengthRatio),
    ratio(d.distinct2Ratio),
    d.row.eos_rate,
    d.row.identical_share,
    d.collapsed ? '**yes**' : '',
  ]);
  return [
    '## Degeneration\n',
    `Each point against the SFT policy sampled at the same temperature: its reward gain, its mean completion length and its distinct-2 as multiples of SFT's, the share of its completions that ended with eos (the rest reached max_new_tokens), and the share of prompts whose samples were all the same completion. A point **collapsed** when it gains reward while its length or its distinct-2 is under ${COLLAPSE_RATIO} of SFT's: a reward bought by degenerate text.\n`,
    points.length > 0 ? markdownTable(header, body) : '_No frontier points._\n',
  ].join('\n');
}

function winRateSection(rows: readonly WinRateRow[]): string {
  if (rows.length === 0) return '## Win rates\n\n_Not measured (the evaluation has no `win_rate`)._\n';
  const temperatures = [...new Set(rows.map((r) => r.temperature))].sort((a, b) => a - b);
  const policies = [...new Set(rows.map((r) => r.policy))];
  const body = policies.map((policy) => {
    const ofPolicy = rows.filter((r) => r.policy === policy);
    return [policy, methodName(ofPolicy[0].method), ...temperatures.map((t) => {
      const row = ofPolicy.find((r) => r.temperature === t);
      return row ? `${formatMeanSe(row.win_rate, row.win_rate_se)} [${formatNumber(row.win_rate_ci_low, 2)}, ${formatNumber(row.win_rate_ci_high, 2)}]` : '–';
    })];
  });
  const baselines = [...new Set(rows.map((r) => r.baseline))].join(', ');
  const judges = [...new Set(rows.map((r) => r.judge))].join(', ');
  const failures = rows.reduce((n, r) => n + r.judge_failures, 0);
  return [
    '## Win rates\n',
    `The share of comparisons each policy's completion won against ${baselines}'s on the same prompt (ties count as half; ± one standard error, then in brackets the 95% Wilson score interval, a tie counted as half a win), judged by ${judges === 'reward' ? 'the ground-truth reward' : judges}, by sampling temperature.${failures > 0 ? ` The judge gave no usable answer in ${failures} comparisons (counted as ties).` : ''}\n`,
    markdownTable(['policy', 'method', ...temperatures.map((t) => `T = ${t}`)], body),
    `![Win rate against temperature](${WIN_RATES_SVG})\n`,
  ].join('\n');
}

function agreementSection(rows: readonly AgreementRow[]): string {
  const body = rows.map((r) => [r.policy, r.temperature, `${r.judge} vs ${r.other_judge}`, r.n_compared, r.agreement]);
  return [
    '### Judge agreement\n',
    "The share of comparisons on which the llm judge chose the same completion as the ground-truth reward (the paper's Table 2 sets GPT-4 against human raters this way); comparisons it gave no usable answer for are left out.\n",
    markdownTable(['policy', 'temperature', 'judges', 'comparisons', 'agreement'], body),
  ].join('\n');
}

function trainingSection(stages: readonly StageSummary[]): string {
  if (stages.length === 0) return '## Training\n\n_No training stages to summarise._\n';
  const columns = SUMMARY_COLUMNS.map((c) => c.column).filter((c) => stages.some((s) => s.metrics[c] !== undefined));
  const body = stages.map((s) => [s.id, s.kind, s.steps, ...columns.map((c) => s.metrics[c] ?? null)]);
  return [
    '## Training\n',
    "Each stage's final figures (its summary.json, else the last value in its metrics.csv): `train` columns on the training batches, `eval` columns on held-out data.\n",
    markdownTable(['stage', 'kind', 'steps', ...columns], body),
  ].join('\n');
}

function paperSection(inputs: ReportInputs, degeneration: readonly Degeneration[]): string {
  const temperature = checkTemperature(inputs.frontier, inputs.temperature);
  const checks = [...checkAgainstPaper(inputs.frontier, temperature), collapseCheck(degeneration)];
  return [
    '## Against the paper\n',
    'The DPO paper (Rafailov et al., 2023, Figure 2 left) finds on this task that DPO gives the best reward at every KL: its frontier dominates PPO\'s and PPO-GT\'s, and Preferred-FT and Unlikelihood stay below it.\n',
    `Dominance here means: take every point (sweep instance and checkpoint) of DPO and of the other method at temperature ${temperature ?? '–'}; for each KL level k among their KL values, compare the best reward of each among its points with KL ≤ k, at the levels where both have such a point; DPO dominates when its best is at least the other's at every one of those levels. The KL is the exact per-step KL (the frontier table's KL column, frontier.csv's kl_mean). Differences within the standard errors of the frontier table count as they fall.\n`,
    markdownTable(
      ['claim', 'verdict', 'figures'],
      checks.map((c) => [c.claim, `**${c.verdict}**`, c.figures]),
    ),
  ].join('\n');
}

/** The TL;DR or HH claims, on the run's win rates (a sweep's merged: each method's best over all its runs' policies). */
function taskSection(task: keyof typeof TASK_CLAIMS, inputs: ReportInputs, degeneration: readonly Degeneration[]): string {
  const { intro, checks } = TASK_CLAIMS[task];
  const rows = [...checks(inputs.winRates), collapseCheck(degeneration)];
  return [
    '## Against the paper\n',
    `${intro}${inputs.sweep ? ` The ${inputs.sweep.length} runs of this sweep are taken together.` : ''}\n`,
    markdownTable(
      ['claim', 'verdict', 'figures'],
      rows.map((c) => [c.claim, `**${c.verdict}**`, c.figures]),
    ),
  ].join('\n');
}

/** The flag of policies whose reward gain came with collapse (see degeneration.ts), as one more check. */
function collapseCheck(points: readonly Degeneration[]): ClaimCheck {
  const claim = `The reward gains are not bought by degenerate text: no policy above SFT's reward has a length or distinct-2 under ${COLLAPSE_RATIO} of SFT's at the same temperature`;
  const compared = points.filter((d) => d.sft !== undefined && d.row.method !== 'sft');
  if (compared.length === 0) return { claim, verdict: 'not measured', figures: 'no SFT point at the temperatures of the other policies' };
  const collapsed = points.filter((d) => d.collapsed);
  if (collapsed.length === 0) return { claim, verdict: 'borne out', figures: `${compared.length} points compared with SFT at their temperature; none collapsed` };
  const describe = (d: Degeneration) =>
    `${d.row.policy} at T = ${d.row.temperature}: reward +${formatNumber(d.rewardGain)}, length ${formatNumber(d.lengthRatio)}×, distinct-2 ${formatNumber(d.distinct2Ratio)}× SFT's`;
  return { claim, verdict: 'not borne out', figures: `**flagged**: ${collapsed.map(describe).join('; ')}` };
}

/** The claims checked on each run of a sweep, counted across runs, and each method's envelope spread across runs. */
function sweepSection(runs: readonly SweepRun[], wanted: number | undefined, degeneration: readonly Degeneration[]): string {
  const temperature = checkTemperature(runs.flatMap((r) => r.frontier), wanted);
  const claims = sweepClaims(runs, temperature);
  const collapse = collapseCheck(degeneration);
  const spread = temperature === undefined ? [] : envelopeSpread(runs, temperature);
  return [
    '## Against the paper, across the runs\n',
    `Each claim of the DPO paper (Figure 2 left: DPO's frontier dominates PPO's and PPO-GT's; Preferred-FT and Unlikelihood stay below DPO) checked on each run's own frontier at temperature ${temperature ?? '–'}, as a single run's report checks it (envelopes compared at every KL level where both methods have a point), then counted over the ${runs.length} runs.\n`,
    markdownTable(
      ['claim', 'overall', 'runs', ...runs.map((r) => r.name)],
      [
        ...claims.map((c) => [c.claim, `**${c.verdict}**`, describeSweepClaim(c, runs.length), ...c.perRun.map((p) => p.verdict)]),
        [collapse.claim, `**${collapse.verdict}**`, collapse.figures, ...runs.map(() => '')],
      ],
    ),
    '### Envelopes across the runs\n',
    `Each method's best reward among its points with KL ≤ k (its upper envelope) in each run, at KL levels that every run's envelope covers: the mean over the runs and the lowest and highest run (temperature ${temperature ?? '–'}).\n`,
    spread.length > 0
      ? markdownTable(['method', 'KL ≤', 'mean best reward', 'lowest', 'highest', 'runs'], spread.map((e) => [methodName(e.method), e.kl, e.mean, e.min, e.max, e.runs]))
      : '_No frontier points._\n',
  ].join('\n');
}
