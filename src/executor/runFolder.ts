/**
 * The folders a run writes besides the cache: `<runsDir>/<pipeline>/<YYYYMMDD-HHMMSS>-<id>/`
 * for one run, `<runsDir>/<pipeline>/sweep-<YYYYMMDD-HHMMSS>-<id>/` holding one run folder
 * per value of a command-line sweep, and `outputs/<instance id>` links to the cache.
 */
import { mkdirSync, symlinkSync, rmSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import type { Plan } from '../pipeline/types.ts';
import { writeAtomic } from '../core/io/writeAtomic.ts';
import { safeName } from '../core/io/safeName.ts';
import { makeFolder } from '../core/io/makeFolder.ts';

/** `20240131-142501-3fa2c1`: local time, then a short random id. */
export function timestampedName(date: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const time = `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
  return `${time}-${randomBytes(3).toString('hex')}`;
}


export { safeName };

/** `seed=1,lr=0.1` for a command-line sweep run, `run` when there is none. */
export function sweepValuesName(values: Record<string, unknown>): string {
  const parts = Object.entries(values).map(([path, value]) => `${path}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return parts.length > 0 ? safeName(parts.join(',')) : 'run';
}

/**
 * Makes the run folder and writes `pipeline.resolved.yaml` into it, before anything
 * runs. `parent` is the sweep folder when the run is one of a command-line sweep.
 */
export function createRunFolder(runsDir: string, plan: Plan, parent?: string): string {
  const dir = parent
    ? join(parent, sweepValuesName(plan.runSweep))
    : join(runsDir, safeName(plan.name), timestampedName());
  makeFolder(dir);
  const header = `# The resolved pipeline of this run: ${plan.file}, every default filled in.\n`;
  writeAtomic(join(dir, 'pipeline.resolved.yaml'), header + stringify(plan.resolved));
  return dir;
}

export function createSweepFolder(runsDir: string, pipelineName: string): string {
  const dir = join(runsDir, safeName(pipelineName), `sweep-${timestampedName()}`);
  makeFolder(dir);
  return dir;
}

/**
 * Links `outputs/<instance id>` in the run folder to the cache folder (a relative link, so
 * the runs folder can move). Returns false when links cannot be made here; the manifest's
 * `output` path still names the folder.
 */
export function linkOutput(runDir: string, instanceId: string, target: string): boolean {
  const link = join(runDir, 'outputs', safeName(instanceId));
  try {
    mkdirSync(dirname(link), { recursive: true });
    rmSync(link, { force: true });
    symlinkSync(relative(dirname(link), target), link, 'dir');
    return true;
  } catch {
    return false;
  }
}
