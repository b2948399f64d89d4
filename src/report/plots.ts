/**
 * The report's two figures as Vega-Lite specifications:
 *   frontier: expected reward against the sequence-level KL to the reference, one colour
 *     per method, the points of one run (a stage instance's checkpoints, best-of-N's Ns)
 *     joined by a line, one panel per sampling temperature (the paper's Figure 2, left);
 *   win rates: win rate against the baseline by sampling temperature, one line per policy.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { FrontierRow } from '../evaluation/frontierTable.ts';
import type { WinRateRow } from '../evaluation/winRateTable.ts';

/** How the paper names each method, for legends. */
export const METHOD_NAMES: Record<string, string> = {
  dpo: 'DPO',
  ppo: 'PPO',
  ppo_gt: 'PPO-GT',
  unlikelihood: 'Unlikelihood',
  preferred_ft: 'Preferred-FT',
  best_of_n: 'Best of N',
  sft: 'SFT',
};

export function methodName(method: string): string {
  return METHOD_NAMES[method] ?? method;
}

/** One colour per method, the same in every figure. */
const METHOD_COLOURS: Record<string, string> = {
  DPO: '#1f77b4',
  PPO: '#ff7f0e',
  'PPO-GT': '#d62728',
  Unlikelihood: '#9467bd',
  'Preferred-FT': '#8c564b',
  'Best of N': '#2ca02c',
  SFT: '#7f7f7f',
};
const OTHER_COLOURS = ['#e377c2', '#bcbd22', '#17becf', '#393b79', '#637939'];

/** The colour scale of the methods present, in the order of METHOD_NAMES. */
function methodColours(methods: readonly string[]): { domain: string[]; range: string[] } {
  const known = Object.keys(METHOD_COLOURS);
  const domain = [...new Set(methods)].sort((a, b) => (known.indexOf(a) + 1 || 99) - (known.indexOf(b) + 1 || 99) || a.localeCompare(b));
  let other = 0;
  return { domain, range: domain.map((m) => METHOD_COLOURS[m] ?? OTHER_COLOURS[other++ % OTHER_COLOURS.length]) };
}

const WIDTH = 300;
const HEIGHT = 220;

/** The rows a frontier plot draws: those with a finite KL and reward (one point each). */
export function plottedFrontierRows(rows: readonly FrontierRow[]): FrontierRow[] {
  return rows.filter((r) => Number.isFinite(r.kl_mean) && Number.isFinite(r.reward_mean));
}

export function frontierSpec(rows: readonly FrontierRow[]): TopLevelSpec {
  const values = plottedFrontierRows(rows).map((r) => ({
    kl: r.kl_mean,
    reward: r.reward_mean,
    method: methodName(r.method),
    run: r.instance,
    temperature: `temperature ${r.temperature}`,
    // Checkpoints in training order, the final model last; best-of-N by KL (increasing N).
    order: r.checkpoint_step ?? (r.method === 'best_of_n' ? r.kl_mean : Number.MAX_SAFE_INTEGER),
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'IMDb sentiment generation: reward vs KL', subtitle: 'each point a policy; a line joins the points of one run' },
    data: { values },
    facet: { field: 'temperature', type: 'ordinal', title: null },
    columns: 3,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      layer: [
        { mark: { type: 'line', opacity: 0.6 }, encoding: { detail: { field: 'run' }, order: { field: 'order', type: 'quantitative' } } },
        { mark: { type: 'point', filled: true, size: 50 } },
      ],
      encoding: {
        x: { field: 'kl', type: 'quantitative', title: 'KL(π ‖ π_ref)  (nats, per completion)' },
        y: { field: 'reward', type: 'quantitative', title: 'expected reward (ground truth)', scale: { zero: false } },
        color: { field: 'method', type: 'nominal', title: 'method', scale: methodColours(values.map((v) => v.method)) },
      },
    },
    resolve: { scale: { x: 'shared', y: 'shared' } },
  } as TopLevelSpec;
}

export function winRateSpec(rows: readonly WinRateRow[]): TopLevelSpec {
  const values = rows
    .filter((r) => Number.isFinite(r.win_rate))
    .map((r) => ({ temperature: r.temperature, win_rate: r.win_rate, method: methodName(r.method), policy: r.policy }));
  const baseline = rows[0]?.baseline ?? 'the baseline';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `Win rate against ${baseline}`, subtitle: `judge: ${rows[0]?.judge ?? '–'}; ties count as half` },
    width: WIDTH * 1.5,
    height: HEIGHT * 1.2,
    layer: [
      { data: { values: [{ y: 0.5 }] }, mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
      {
        data: { values },
        layer: [
          { mark: { type: 'line', opacity: 0.6 }, encoding: { detail: { field: 'policy' } } },
          { mark: { type: 'point', filled: true, size: 50 } },
        ],
        encoding: {
          x: { field: 'temperature', type: 'quantitative', title: 'sampling temperature' },
          y: { field: 'win_rate', type: 'quantitative', title: 'win rate', scale: { domain: [0, 1] } },
          color: { field: 'method', type: 'nominal', title: 'method', scale: methodColours(values.map((v) => v.method)) },
        },
      },
    ],
  } as TopLevelSpec;
}
