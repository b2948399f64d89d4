/**
 * `plan.json` in a run folder submitted to Slurm: what a job needs to run one instance of
 * it (the plan, the runs folder, the folder relative paths are taken from, the backend, and
 * --only/--force), written before any job is submitted. A job on another node reads it
 * through the file system every node shares; a run folder it cannot see is an error that
 * says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { EXIT, UserError } from '../../core/errors.ts';
import { writeJsonAtomic } from '../../core/io/writeAtomic.ts';
import type { Plan } from '../../pipeline/types.ts';

export const LAUNCH_FILE = 'plan.json';

export interface Launch {
  /** Absolute: the runs folder whose cache/ holds the entries. */
  runs_dir: string;
  /** The folder the submitting command ran in: relative paths in the pipeline are taken from it. */
  cwd: string;
  /** The backend asked for (--backend, else the pipeline's). */
  backend: string;
  only: string[];
  force: string[];
  plan: Plan;
}

export function writeLaunch(runDir: string, launch: Launch): void {
  writeJsonAtomic(join(runDir, LAUNCH_FILE), launch);
}

export function readLaunch(runDir: string): Launch {
  if (!existsSync(runDir)) {
    throw new UserError(
      `the run folder ${runDir} is not there on ${hostname()}`,
      'a job reads and writes its run folder and the cache: put runs/ on a file system every node shares (--runs-dir)',
      EXIT.stageFailed,
    );
  }
  const file = join(runDir, LAUNCH_FILE);
  if (!existsSync(file)) {
    throw new UserError(`${runDir} has no ${LAUNCH_FILE}: not a run folder submitted with --launcher slurm (or run with --isolate)`, 'dpo-run PIPELINE --launcher slurm', EXIT.stageFailed);
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Launch;
  } catch (error) {
    throw new UserError(`${file}: not readable JSON (${(error as Error).message})`, undefined, EXIT.stageFailed);
  }
}
