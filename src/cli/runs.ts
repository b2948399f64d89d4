/**
 * `dpo-run runs [RUNS_DIR]`: every run under the runs folder (default runs/), oldest
 * first: its folder, pipeline, start time, status, command-line sweep values, overrides,
 * wall time and headline figure (src/report/headlines.ts).
 */
import { relative, resolve } from 'node:path';
import { formatDuration } from '../core/duration.ts';
import { EXIT, UserError } from '../core/errors.ts';
import { safeName } from '../core/io/safeName.ts';
import type { ManifestData } from '../core/manifestRecord.ts';
import { markIfAbandoned, MANIFEST_FILE } from '../executor/manifest.ts';
import { findRuns, type RunRecord } from '../executor/runRecords.ts';
import { formatFigure, instanceHeadlines, runHeadline, type Headline } from '../report/headlines.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatTable } from './table.ts';

const FINISHED = new Set(['done', 'cached']);

export async function runsCommand(runsDir: string, stdout: (text: string) => void = (t) => void process.stdout.write(t)): Promise<number> {
  const root = resolve(runsDir);
  if (!existsSync(root)) throw new UserError(`${runsDir}: no such folder`, 'dpo-run runs [RUNS_DIR] (default runs/)');
  const { runs, unreadable } = findRuns(root);
  for (const run of runs) if (markIfAbandoned(join(run.dir, MANIFEST_FILE))) run.manifest.status = 'interrupted';
  const rows: string[][] = [];
  for (const run of runs) {
    const headline = runHeadline(await runHeadlines(run));
    rows.push([
      relative(root, run.dir),
      run.manifest.pipeline,
      localTime(run.manifest.started),
      run.manifest.status,
      describeValues(run.manifest.run_sweep),
      [...(run.manifest.overrides?.set ?? []).map((s) => `--set ${s}`), ...(run.manifest.overrides?.sweep ?? []).map((s) => `--sweep ${s}`)].join(' '),
      wallTime(run.manifest),
      headline ? `${headline.instance} ${headline.name} ${formatFigure(headline.value)}` : '',
    ]);
  }
  if (rows.length === 0) stdout(`no runs in ${root}\n`);
  else stdout(formatTable(['run', 'pipeline', 'started', 'status', 'sweep', 'overrides', 'wall', 'headline'], rows));
  for (const file of unreadable) stdout(`unreadable: ${file}\n`);
  return EXIT.ok;
}

/** The headline figures of every finished instance of a run, in plan order. */
export async function runHeadlines(run: RunRecord): Promise<Headline[]> {
  const headlines: Headline[] = [];
  for (const [id, record] of Object.entries(run.manifest.instances)) {
    if (!FINISHED.has(record.status)) continue;
    const link = join(run.dir, 'outputs', safeName(id));
    headlines.push(...(await instanceHeadlines(id, record.kind, existsSync(link) ? link : record.output)));
  }
  return headlines;
}

/** `seed=1 lr=0.1`. */
export function describeValues(values: Record<string, unknown>): string {
  return Object.entries(values ?? {}).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`).join(' ');
}

function wallTime(manifest: ManifestData): string {
  if (!manifest.ended) return '';
  return formatDuration((Date.parse(manifest.ended) - Date.parse(manifest.started)) / 1000);
}

/** `2026-12-01 18:44` in local time. */
function localTime(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
