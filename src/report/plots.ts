/**
 * The report's two figures as Vega-Lite specifications:
 *   frontier: expected reward against the KL to the reference (the exact per-step KL),
 *     one colour per method: every point (sweep instances, checkpoints, best-of-N's Ns),
 *     each method's upper envelope (its Pareto front, the best reward at KL <= x, as a
 *     staircase), the final models labelled with their sweep values; one panel per
 *     sampling temperature that has points, temperature 1 (the paper's Figure 2, left)
 *     first;
 *   win rates: win rate against the baseline by sampling temperature, one line per policy.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { FrontierRow } from '../evaluation/frontierTable.ts';
import { upperEnvelope } from './envelope.ts';
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

/** A point's label: the sweep values of a final model (`β=0.1`, `n=16`); none for a checkpoint. */
export function pointLabel(row: FrontierRow): string {
  return row.checkpoint_step === null ? row.settings.replace(/\bbeta=/g, 'β=').replace(/\bkl_target=/g, 'KL target ') : '';
}

/**
 * The frontier's data: one `point` per plotted row, and for each method and temperature
 * the `envelope` staircase through its Pareto points, carried on to the panel's largest KL.
 */
export function frontierValues(rows: readonly FrontierRow[]): Record<string, string | number>[] {
  const plotted = plottedFrontierRows(rows);
  const points = plotted.map((r) => ({
    layer: 'point',
    kl: r.kl_mean,
    reward: r.reward_mean,
    method: methodName(r.method),
    temperature: r.temperature,
    policy: r.policy,
    label: pointLabel(r),
    checkpoint: r.checkpoint_step === null ? 'final model' : 'checkpoint',
  }));
  const envelopes: Record<string, string | number>[] = [];
  for (const temperature of new Set(plotted.map((r) => r.temperature))) {
    const here = points.filter((p) => p.temperature === temperature);
    const widest = Math.max(...here.map((p) => p.kl));
    for (const method of new Set(here.map((p) => p.method))) {
      const front = upperEnvelope(here.filter((p) => p.method === method));
      if (front[front.length - 1].kl < widest) front.push({ kl: widest, reward: front[front.length - 1].reward });
      front.forEach((p, order) => envelopes.push({ layer: 'envelope', kl: p.kl, reward: p.reward, method, temperature, order }));
    }
  }
  return [...points, ...envelopes];
}

export function frontierSpec(rows: readonly FrontierRow[]): TopLevelSpec {
  const values = frontierValues(rows);
  const only = (layer: string) => ({ filter: `datum.layer === '${layer}'` });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'IMDb sentiment generation: reward vs KL',
      subtitle: "each point a policy (open: a checkpoint); each method's line is its upper envelope, the best reward at KL ≤ x",
    },
    data: { values },
    facet: { field: 'temperature', type: 'ordinal', sort: 'descending', title: null, header: { labelExpr: "'temperature ' + datum.value" } },
    columns: 3,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      layer: [
        { transform: [only('envelope')], mark: { type: 'line', interpolate: 'step-after', opacity: 0.7 }, encoding: { detail: { field: 'method' }, order: { field: 'order', type: 'quantitative' } } },
        { transform: [only('point'), { filter: "datum.checkpoint === 'final model'" }], mark: { type: 'point', filled: true, size: 50 } },
        { transform: [only('point'), { filter: "datum.checkpoint === 'checkpoint'" }], mark: { type: 'point', filled: false, size: 50, strokeWidth: 1.5 } },
        { transform: [only('point'), { filter: "datum.label !== ''" }], mark: { type: 'text', align: 'left', dx: 5, dy: -6, fontSize: 9 }, encoding: { text: { field: 'label' } } },
      ],
      encoding: {
        x: { field: 'kl', type: 'quantitative', title: 'KL(π ‖ π_ref)  (nats per completion, exact per-step)' },
        y: { field: 'reward', type: 'quantitative', title: 'expected reward (ground truth)', scale: { zero: false } },
        color: { field: 'method', type: 'nominal', title: 'method', scale: methodColours(values.map((v) => String(v.method))) },
      },
    },
    // Each panel its own KL axis: at a low temperature the KL to the reference runs to tens of nats (greedy decoding is a point mass).
    resolve: { scale: { x: 'independent', y: 'shared' } },
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
