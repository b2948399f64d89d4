/**
 * Slurm's commands, as the launcher uses them: `sbatch` submits a job script, `scancel`
 * cancels, `squeue` lists the jobs still queued or running, and `scontrol show job` gives
 * each job's state, node, run time and exit code (accounting storage, and so `sacct`, may be
 * off). Slurm finds its controller through the environment (SLURM_CONF) as usual.
 */
import { spawnSync } from 'node:child_process';
import { EXIT, UserError } from '../../core/errors.ts';

/** A job as `scontrol show job` describes it. */
export interface SlurmJob {
  id: string;
  name: string;
  /** PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, ... */
  state: string;
  /** Why it waits or how it ended: Dependency, Priority, Resources, DependencyNeverSatisfied, NonZeroExitCode, ... */
  reason: string;
  /** Where it runs or ran (its batch host); null before it starts. */
  node: string | null;
  /** `HH:MM:SS` (or `D-HH:MM:SS`). */
  runTime: string;
  /** When its latest attempt started (local time, `2024-01-31T14:25:01`), or N/A. */
  startTime: string;
  /** The exit status of its script, and the signal that ended it (0 when none). */
  exitCode: number;
  signal: number;
  restarts: number;
  comment: string;
  /** Its log file. */
  stdout: string;
}

/** States of a job that has not ended: it may still run. */
const ACTIVE = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESIZING', 'SIGNALING', 'STAGE_OUT', 'SPECIAL_EXIT', 'RESV_DEL_HOLD']);

export function isActive(state: string): boolean {
  return ACTIVE.has(state);
}

const TIMEOUT_MS = 60_000;

function slurm(command: string, args: string[]): { ok: boolean; stdout: string; stderr: string; missing: boolean } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: TIMEOUT_MS });
  const missing = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  const stderr = (result.stderr ?? '').trim() || (result.error ? result.error.message : '');
  return { ok: result.status === 0, stdout: result.stdout ?? '', stderr, missing };
}

/** Whether Slurm's commands are on this host's PATH. */
export function hasSlurm(): boolean {
  return !slurm('sbatch', ['--version']).missing;
}

function failure(command: string, result: { stderr: string; missing: boolean }): UserError {
  if (result.missing) {
    return new UserError(`${command} not found: --launcher slurm needs Slurm's commands on the PATH`, 'run on a host of the cluster (a login node), or without --launcher slurm', EXIT.stageFailed);
  }
  return new UserError(`${command} failed: ${result.stderr.split('\n').filter(Boolean).join('; ') || 'no message'}`, 'check the launcher section (partition, account, sbatch_args) and the cluster', EXIT.stageFailed);
}

/** Submits a job script; its job id. */
export function sbatch(script: string): string {
  const result = slurm('sbatch', ['--parsable', script]);
  if (!result.ok) throw failure('sbatch', result);
  const id = result.stdout.trim().split(';')[0];
  if (!/^\d+$/.test(id)) throw failure('sbatch', { stderr: `unexpected answer "${result.stdout.trim()}"`, missing: false });
  return id;
}

/** Cancels jobs (best effort: a job that has ended already is no error). */
export function scancel(ids: readonly string[]): void {
  if (ids.length > 0) slurm('scancel', [...ids]);
}

/** The jobs of this user that have not ended, by their comment (the launcher writes `dpo-run:<cache entry>` there). */
export function activeJobsByComment(): Map<string, string> {
  const result = slurm('squeue', ['--noheader', '--me', '--states=all', '--format=%i|%T|%k']);
  if (!result.ok) throw failure('squeue', result);
  const jobs = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const [id, state, comment] = line.trim().split('|');
    if (id && comment && isActive(state)) jobs.set(comment, id);
  }
  return jobs;
}

/** Fields of `squeue --Format`, in order; each ends with `|`. */
const QUEUE_FIELDS = ['JobID', 'Name', 'State', 'Reason', 'BatchHost', 'TimeUsed', 'StartTime', 'restartcnt', 'Comment', 'StdOut'];

/**
 * The jobs among `ids` that the controller still knows (a finished one for MinJobAge, 5
 * minutes by default): their state from squeue, and for one that ended otherwise than
 * COMPLETED its exit code from `scontrol show job`. Undefined when the controller cannot be
 * asked (no Slurm on this host, or it is down).
 */
export function showJobs(ids: readonly string[]): Map<string, SlurmJob> | undefined {
  const jobs = new Map<string, SlurmJob>();
  if (ids.length === 0) return hasSlurm() ? jobs : undefined;
  const format = QUEUE_FIELDS.map((field) => `${field}:|`).join(',');
  const result = slurm('squeue', ['--noheader', '--states=all', `--jobs=${[...new Set(ids)].join(',')}`, `--Format=${format}`]);
  if (!result.ok) return /Invalid job id/i.test(result.stderr) ? jobs : undefined; // none of them is known any more
  for (const line of result.stdout.split('\n')) {
    const [id, name, state, reason, node, runTime, startTime, restarts, comment, stdout] = line.split('|').map((field) => field.trim());
    if (!id || !/^\d+$/.test(id)) continue;
    const job: SlurmJob = { id, name, state, reason, node: node && node !== '(null)' && node !== 'None' ? node : null, runTime, startTime, exitCode: 0, signal: 0, restarts: Number(restarts) || 0, comment, stdout };
    if (!isActive(state) && state !== 'COMPLETED') Object.assign(job, exitStatus(id));
    jobs.set(id, job);
  }
  return jobs;
}

/** Exit statuses of ended jobs, which do not change: asked once per job. */
const exitStatuses = new Map<string, { exitCode: number; signal: number }>();

function exitStatus(id: string): { exitCode: number; signal: number } {
  let known = exitStatuses.get(id);
  if (!known) {
    const result = slurm('scontrol', ['show', 'job', '--oneliner', id]);
    const [exitCode, signal] = (parseFields(result.stdout).ExitCode ?? '0:0').split(':').map(Number);
    known = { exitCode: exitCode || 0, signal: signal || 0 };
    if (result.ok) exitStatuses.set(id, known);
  }
  return known;
}

/** `Key=value Key2=a value with spaces Key3=...` -> {Key: value, ...}. */
export function parseFields(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const parts = line.trim().split(/ (?=[A-Za-z][A-Za-z0-9/:_]*=)/);
  for (const part of parts) {
    const at = part.indexOf('=');
    if (at > 0) fields[part.slice(0, at)] = part.slice(at + 1);
  }
  return fields;
}
