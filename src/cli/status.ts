/**
 * `dpo-run status RUN_DIR`: a run's status and each instance's, from its manifest (or, for
 * a sweep folder, those of each of its runs). A manifest still saying `running` whose
 * process is gone (killed with kill -9, a crash) is marked `interrupted` first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT, UserError } from '../core/errors.ts';
import type { ManifestData } from '../core/manifestRecord.ts';
import { markIfAbandoned, MANIFEST_FILE } from '../executor/manifest.ts';
import { describeInstance, logTail, readRunState, refreshSweepFile } from '../executor/slurm/index.ts';

export interface StatusOutput {
  stdout(text: string): void;
}

const processOutput: StatusOutput = { stdout: (text) => void process.stdout.write(text) };

export async function statusCommand(folder: string, output: StatusOutput = processOutput): Promise<number> {
  const dir = resolve(folder);
  const runs = existsSync(join(dir, 'sweep.json')) ? sweepRuns(dir) : [dir];
  if (!existsSync(join(runs[0] ?? dir, MANIFEST_FILE))) {
    throw new UserError(`${dir} has no ${MANIFEST_FILE}: not a run folder`, 'dpo-run status runs/<pipeline>/<run-id>');
  }
  for (const run of runs) output.stdout(describeRun(run));
  if (runs[0] !== dir) refreshSweepFile(dir); // a sweep on Slurm: its sweep.json from its runs'
  return EXIT.ok;
}

function sweepRuns(dir: string): string[] {
  const sweep = readJson<{ runs: { folder: string | null }[] }>(join(dir, 'sweep.json'));
  return sweep.runs.flatMap((r) => (r.folder ? [join(dir, r.folder)] : []));
}

function describeRun(runDir: string): string {
  const file = join(runDir, MANIFEST_FILE);
  if (readJson<ManifestData>(file).launcher === 'slurm') return describeSlurmRun(runDir);
  const marked = markIfAbandoned(file);
  const manifest = readJson<ManifestData>(file);
  const where = manifest.pid ? ` (pid ${manifest.pid} on ${manifest.host})` : '';
  const lines = [`${runDir}: ${manifest.status}${manifest.status === 'running' ? where : ''}, started ${manifest.started}${manifest.ended ? `, ended ${manifest.ended}` : ''}`];
  if (marked) lines.push(`  ${marked}`);
  const ids = Object.keys(manifest.instances);
  const width = Math.max(2, ...ids.map((id) => id.length));
  for (const [id, record] of Object.entries(manifest.instances)) {
    lines.push(`  ${id.padEnd(width)}  ${record.status}${record.error ? `  (${record.error})` : ''}`);
  }
  return lines.join('\n') + '\n';
}

/** A run on Slurm: each instance's state from the cache, Slurm and the manifest (src/executor/slurm/runState.ts). */
function describeSlurmRun(runDir: string): string {
  const run = readRunState(runDir);
  const { manifest } = run;
  const lines = [`${runDir}: ${manifest.status} (Slurm), started ${manifest.started}${manifest.ended ? `, ended ${manifest.ended}` : ''}`];
  if (!run.slurmAsked) lines.push("  (Slurm's controller could not be asked here: states from the manifest and the cache)");
  const width = Math.max(2, ...run.instances.map((s) => s.id.length));
  for (const state of run.instances) {
    lines.push(`  ${state.id.padEnd(width)}  ${describeInstance(state, run.instances)}`);
    if (state.record.status === 'failed') lines.push(...logTail(state).map((line) => `  ${' '.repeat(width)}    | ${line}`));
  }
  return lines.join('\n') + '\n';
}

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new UserError(`${file}: not readable JSON (${(error as Error).message})`, undefined, EXIT.stageFailed);
  }
}
