/**
 * The training summary of a stage for the report: its final figures on the training
 * batches and on held-out data, in separate named columns (train loss, eval loss, ...),
 * from its summary.json, or else the last value logged in its metrics.csv.
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

/**
 * The report's columns, in order: each a figure on the training batches (`train`) or on
 * the held-out data (`eval`), never one under the other's name. `names` are the metric's
 * names as stages log them (metrics.csv: `loss` for the training batches, `eval/loss` for
 * held-out data).
 */
export const SUMMARY_COLUMNS: readonly { column: string; split: 'train' | 'eval'; names: readonly string[] }[] = [
  { column: 'train loss', split: 'train', names: ['loss'] },
  { column: 'eval loss', split: 'eval', names: ['loss'] },
  { column: 'train accuracy', split: 'train', names: ['rewards/accuracies', 'accuracy'] },
  { column: 'eval accuracy', split: 'eval', names: ['rewards/accuracies', 'accuracy'] },
  { column: 'train margin', split: 'train', names: ['rewards/margins'] },
  { column: 'eval margin', split: 'eval', names: ['rewards/margins'] },
  { column: 'eval perplexity', split: 'eval', names: ['perplexity'] },
  { column: 'train KL', split: 'train', names: ['objective/kl'] },
  { column: 'train score', split: 'train', names: ['objective/scores'] },
  { column: 'KL coef', split: 'train', names: ['objective/kl_coef', 'kl_coef'] },
];

export interface StageSummary {
  id: string;
  kind: string;
  /** The final step, when the stage says. */
  steps: number | null;
  /** Each column of SUMMARY_COLUMNS found, by column name. */
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

/**
 * Where each split's figure of metric `name` is, in a summary.json (as the stages write
 * them: `loss`, `final.loss` or `train_loss` for training; `eval/loss`, `eval.loss` or
 * `eval_loss` for held-out data) or a metrics.csv (`loss`, `eval/loss`), in that order.
 */
function pathsOf(split: 'train' | 'eval', name: string): string[] {
  return split === 'train' ? [name, `final.${name}`, `train_${name}`, `train.${name}`] : [`eval/${name}`, `eval.${name}`, `eval_${name}`, `final.eval/${name}`];
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
  for (const { column, split, names } of SUMMARY_COLUMNS) {
    const paths = names.flatMap((name) => pathsOf(split, name));
    const value = [...paths.map((p) => summary.get(p)), ...paths.map((p) => logged.get(p))].find((v) => v !== undefined);
    if (value !== undefined) metrics[column] = value;
  }
  const steps = summary.get('steps') ?? summary.get('step') ?? logged.get('step') ?? null;
  return { id, kind, steps, metrics };
}
