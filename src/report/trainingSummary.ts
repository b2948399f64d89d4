/**
 * The training summary of a stage for the report: its final figures under the common
 * metric names (loss, rewards/accuracies, KL, ...), from its summary.json, or else the
 * last value logged in its metrics.csv.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

/** Kinds that train nothing: they get no row in the training summary. */
const NOT_TRAINING = new Set(['dataset', 'preferences', 'best_of_n', 'evaluate', 'report']);

export function isTrainingKind(kind: string): boolean {
  return !NOT_TRAINING.has(kind);
}

/** The figures the report shows, in its column order. */
export const SUMMARY_METRICS = [
  'loss',
  'eval/loss',
  'rewards/accuracies',
  'rewards/margins',
  'rewards/chosen',
  'rewards/rejected',
  'objective/kl',
  'objective/scores',
  'objective/kl_coef',
] as const;

export interface StageSummary {
  id: string;
  kind: string;
  /** The final step, when the stage says. */
  steps: number | null;
  /** Each metric of SUMMARY_METRICS found, by name. */
  metrics: Record<string, number>;
}

/**
 * Numbers of a nested JSON object by path: `{final: {loss: 1}}` gives `final.loss` and,
 * where the key itself is a metric name with a slash, the key alone.
 */
function numbersOf(value: unknown, prefix = '', out = new Map<string, number>()): Map<string, number> {
  if (typeof value === 'number' && Number.isFinite(value)) out.set(prefix, value);
  else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, v] of Object.entries(value)) numbersOf(v, prefix === '' ? key : `${prefix}.${key}`, out);
  }
  return out;
}

/** The value of `metric` in `numbers`: the exact path, else the shortest path ending with `.metric`. */
function lookUp(numbers: Map<string, number>, metric: string): number | undefined {
  if (numbers.has(metric)) return numbers.get(metric);
  const candidates = [...numbers.keys()].filter((k) => k.endsWith(`.${metric}`)).sort((a, b) => a.length - b.length);
  return candidates.length > 0 ? numbers.get(candidates[0]) : undefined;
}

/** The last non-empty value of each column of a metrics.csv. */
async function lastLogged(file: string): Promise<Map<string, number>> {
  const last = new Map<string, number>();
  if (!existsSync(file)) return last;
  const rows = parse(await readFile(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  for (const row of rows) {
    for (const [column, text] of Object.entries(row)) if (text !== '' && Number.isFinite(Number(text))) last.set(column, Number(text));
  }
  return last;
}

export async function readStageSummary(id: string, kind: string, dir: string): Promise<StageSummary> {
  const summaryFile = join(dir, 'summary.json');
  const summary = existsSync(summaryFile) ? numbersOf(JSON.parse(await readFile(summaryFile, 'utf8'))) : new Map<string, number>();
  const logged = await lastLogged(join(dir, 'metrics.csv'));
  const metrics: Record<string, number> = {};
  for (const metric of SUMMARY_METRICS) {
    const value = lookUp(summary, metric) ?? logged.get(metric);
    if (value !== undefined) metrics[metric] = value;
  }
  const steps = lookUp(summary, 'steps') ?? lookUp(summary, 'step') ?? logged.get('step') ?? null;
  return { id, kind, steps, metrics };
}
