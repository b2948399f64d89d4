/**
 * A real single-node Slurm cluster for a test file (scripts/slurmLocal.sh): started in
 * `before`, stopped in `after` (and when the process exits, should `after` not run). Where
 * it cannot start (not root, slurm-wlm or munge missing) the file's tests are skipped,
 * saying why. The cluster's SLURM_CONF goes only into the environment of the commands a
 * test runs, never into this process's.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { statusCommand } from '../../src/cli/status.ts';

export const root = join(import.meta.dirname, '..', '..');
export const bin = join(root, 'bin', 'dpo-run.js');
const script = join(root, 'scripts', 'slurmLocal.sh');

export interface Cluster {
  dir: string;
  /** The environment for dpo-run and Slurm's commands: this process's, with SLURM_CONF and CI=1. */
  env: NodeJS.ProcessEnv;
}

/** Registers the hooks; the returned function gives the running cluster inside a test. */
export function localCluster(): () => Cluster {
  let cluster: Cluster | undefined;
  const stop = () => {
    if (cluster) spawnSync(script, ['stop', cluster.dir], { stdio: 'ignore' });
    cluster = undefined;
  };
  before(function () {
    this.timeout(60_000);
    const started = spawnSync(script, ['start'], { encoding: 'utf8' });
    if (started.status !== 0) {
      const why = (started.stderr || started.error?.message || `exit ${started.status}`).trim().split('\n').slice(0, 8).join('\n        ');
      console.log(`      skipped: no local Slurm cluster (${why})`);
      this.skip();
    }
    const dir = started.stdout.trim();
    cluster = { dir, env: { ...process.env, CI: '1', SLURM_CONF: join(dir, 'slurm.conf') } };
    process.once('exit', stop);
  });
  after(function () {
    this.timeout(60_000);
    process.off('exit', stop);
    stop();
  });
  return () => {
    if (!cluster) throw new Error('the local Slurm cluster is not running');
    return cluster;
  };
}

/** Runs dpo-run to its end. */
export function dpoRun(cluster: Cluster, cwd: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], { cwd, env: cluster.env, encoding: 'utf8', timeout: 240_000 });
}

export interface Started {
  /** Its stderr so far. */
  stderr(): string;
  /** Its exit code and output when it ends. */
  done: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

/** Starts dpo-run without waiting for it. */
export function startDpoRun(cluster: Cluster, cwd: string, args: string[]): Started {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: cluster.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return { stderr: () => stderr, done: new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr }))) };
}

/** One of Slurm's commands, on the cluster; its stdout. */
export function slurm(cluster: Cluster, command: string, args: string[]): string {
  const result = spawnSync(command, args, { env: cluster.env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** A job's fields from `scontrol show job` (JobState, Reason, ExitCode, ...). */
export function jobFields(cluster: Cluster, id: string): Record<string, string> {
  const line = slurm(cluster, 'scontrol', ['show', 'job', '--oneliner', id]);
  return Object.fromEntries(line.trim().split(/ (?=[A-Za-z][A-Za-z0-9/:_]*=)/).map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]));
}

/** Waits until `check` holds (polling), or fails after `ms`. */
export async function until(what: string, check: () => boolean, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The run folder a submission printed (`run DIR`). */
export function runFolderOf(stderr: string): string {
  const match = /^run (.+)$/m.exec(stderr);
  if (!match) throw new Error(`no run folder in:\n${stderr}`);
  return match[1];
}

/** Instance id -> job id, as a submission printed them (`[sft] job 12`). */
export function jobsOf(stderr: string): Map<string, string> {
  return new Map([...stderr.matchAll(/^\[(.+)\] job (\d+)/gm)].map((m) => [m[1], m[2]]));
}

export function readJson<T = any>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** `dpo-run status FOLDER`, in this process (with the cluster's SLURM_CONF while it runs): its output. */
export async function statusOf(cluster: Cluster, folder: string): Promise<string> {
  const previous = process.env.SLURM_CONF;
  process.env.SLURM_CONF = cluster.env.SLURM_CONF;
  let out = '';
  try {
    await statusCommand(folder, { stdout: (text) => void (out += text) });
  } finally {
    if (previous === undefined) delete process.env.SLURM_CONF;
    else process.env.SLURM_CONF = previous;
  }
  return out;
}
