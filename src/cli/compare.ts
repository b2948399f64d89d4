/**
 * `dpo-run compare RUN RUN... | SWEEP_FOLDER`: the runs side by side, as `dvc exp show`
 * does: the resolved settings that differ between them (dotted paths into
 * pipeline.resolved.yaml), then each finished instance's headline figures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { formatDuration } from '../core/duration.ts';
import { EXIT, UserError } from '../core/errors.ts';
import { runsOf, type RunRecord } from '../executor/runRecords.ts';
import { formatFigure } from '../report/headlines.ts';
import { describeValues, runHeadlines } from './runs.ts';
import { formatTable } from './table.ts';

const ABSENT = '-';

export async function compareCommand(folders: string[], stdout: (text: string) => void = (t) => void process.stdout.write(t)): Promise<number> {
  const runs = folders.flatMap((folder) => {
    const found = runsOf(resolve(folder));
    if (found.length === 0) throw new UserError(`${folder} is neither a run folder (manifest.json) nor a sweep folder (sweep.json)`, 'dpo-run compare RUN RUN... or dpo-run compare SWEEP_FOLDER; dpo-run runs lists them');
    return found;
  });
  if (runs.length < 2) throw new UserError(`compare needs two runs or more; ${folders[0]} is one run`, 'name several run folders, or a sweep folder');
  const labels = labelsOf(runs);

  const settings = runs.map((run) => flatten(readResolved(run)));
  const keys = [...new Set(settings.flatMap((s) => [...s.keys()]))];
  const differing = keys.filter((key) => new Set(settings.map((s) => s.get(key) ?? ABSENT)).size > 1);
  const about = [
    ['status', ...runs.map((r) => r.manifest.status)],
    ['wall', ...runs.map((r) => (r.manifest.ended ? formatDuration((Date.parse(r.manifest.ended) - Date.parse(r.manifest.started)) / 1000) : ABSENT))],
  ];
  stdout(`settings that differ (${differing.length} of ${keys.length}):\n`);
  stdout(formatTable(['', ...labels], [...about, ...differing.map((key) => [key, ...settings.map((s) => s.get(key) ?? ABSENT)])]));

  const figures = await Promise.all(runs.map(runHeadlines));
  const names = [...new Set(figures.flatMap((f) => f.map((h) => `${h.instance} ${h.name}`)))];
  const values = figures.map((f) => new Map(f.map((h) => [`${h.instance} ${h.name}`, formatFigure(h.value)])));
  stdout(`\nmetrics:\n`);
  stdout(names.length === 0 ? '(no finished stage has figures)\n' : formatTable(['', ...labels], names.map((name) => [name, ...values.map((v) => v.get(name) ?? ABSENT)])));
  return EXIT.ok;
}

/** A column label per run: its sweep values in a sweep, else its folder's name (made unique). */
function labelsOf(runs: RunRecord[]): string[] {
  const labels = runs.map((run) => describeValues(run.manifest.run_sweep) || basename(run.dir));
  return labels.map((label, i) => (labels.indexOf(label) === i ? label : `${label} (${basename(runs[i].dir)})`));
}

function readResolved(run: RunRecord): unknown {
  const file = join(run.dir, 'pipeline.resolved.yaml');
  if (!existsSync(file)) return {};
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file}: not readable YAML (${(error as Error).message.split('\n')[0]})`, undefined, EXIT.stageFailed);
  }
}

/** Dotted path -> the value as text (lists whole, as JSON). */
function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix) out.set(prefix, typeof value === 'string' ? value : JSON.stringify(value));
  return out;
}
