/**
 * What has become of each instance of a run on Slurm, from three sources, the first that
 * knows winning:
 *
 *   the cache:      a complete entry is done, whichever job (or run) finished it;
 *   Slurm:          `scontrol show job` for queued, running, and how a job ended (its
 *                   state, exit code, why it was cancelled) while the controller knows it;
 *   the manifest:   what the job itself recorded (started, failed with this error,
 *                   interrupted), and after Slurm has forgotten the job.
 *
 * What it finds is written back into the manifest (under its lock), so that the manifest
 * ends describing the run even for jobs that could not write (cancelled before they ran,
 * killed, out of memory).
 */
import { join } from 'node:path';
import type { InstanceRecord, ManifestData } from '../../core/manifestRecord.ts';
import type { StageInstance } from '../../pipeline/types.ts';
import { checkEntry } from '../cache.ts';
import { MANIFEST_FILE, now } from '../manifest.ts';
import { linkOutput } from '../runFolder.ts';
import { upstreamIds } from '../schedule.ts';
import { readLaunch } from './launchFile.ts';
import { readManifest, updateManifest } from './sharedManifest.ts';
import { isActive, showJobs, type SlurmJob } from './slurmCommands.ts';

export interface InstanceState {
  id: string;
  /** The record as reconciled (written back into the manifest). */
  record: InstanceRecord;
  /** What Slurm says of its job, while it knows it. */
  job?: SlurmJob;
  /** The instances it uses. */
  upstream: string[];
}

export interface RunState {
  runDir: string;
  manifest: ManifestData;
  instances: InstanceState[];
  /** False when Slurm's controller could not be asked (no Slurm on this host, or down): states come from the manifest and the cache. */
  slurmAsked: boolean;
}

/** The ids of the jobs a run's manifest names. */
export function jobIdsOf(runDir: string): string[] {
  return Object.values(readManifest(join(runDir, MANIFEST_FILE)).instances).flatMap((r) => (r.job ? [r.job.id] : []));
}

/** The state of a run on Slurm; `jobs` as showJobs() gives them (asked once for several runs), by default those of its manifest. */
export function readRunState(runDir: string, jobs: Map<string, SlurmJob> | undefined = showJobs(jobIdsOf(runDir))): RunState {
  const file = join(runDir, MANIFEST_FILE);
  const manifest = readManifest(file);
  const plan = readLaunch(runDir).plan;
  const byId = new Map(plan.instances.map((i) => [i.id, i]));
  const found = new Map<string, InstanceRecord>();
  const changes = new Map<string, Partial<InstanceRecord>>();
  const instances: InstanceState[] = [];
  for (const [id, record] of Object.entries(manifest.instances)) {
    const job = record.job ? jobs?.get(record.job.id) : undefined;
    const change = reconcile(record, job, jobs !== undefined, byId.get(id), found);
    const reconciled = { ...record, ...change };
    found.set(id, reconciled);
    if (change.status === 'done') linkOutput(runDir, id, record.output);
    if (change.status !== undefined && change.status !== record.status) changes.set(id, change);
    const instance = byId.get(id);
    instances.push({ id, record: reconciled, job, upstream: instance ? [...new Set(upstreamIds(instance))] : [] });
  }
  const written = changes.size === 0 ? manifest : updateManifest(file, (data) => {
    for (const [id, change] of changes) {
      // Only if no job changed the instance's status meanwhile.
      if (data.instances[id].status === manifest.instances[id].status) Object.assign(data.instances[id], change);
    }
  });
  return { runDir, manifest: written, instances, slurmAsked: jobs !== undefined };
}

/** The change to an instance's record that the cache and Slurm call for. */
function reconcile(record: InstanceRecord, job: SlurmJob | undefined, asked: boolean, instance: StageInstance | undefined, found: Map<string, InstanceRecord>): Partial<InstanceRecord> {
  const { status } = record;
  if (status === 'cached' || status === 'skipped' || status === 'done') return {};
  if (checkEntry(record.output).status === 'complete') return { status: 'done', ended: record.ended ?? now(), error: null };
  if (!record.job || !asked) return {};
  const jobId = record.job.id;
  if (!job) {
    // Slurm has forgotten the job (MinJobAge), or it is another cluster's: it is not running.
    if (status === 'queued') return { status: 'cancelled', ended: now(), error: record.error ?? `job ${jobId} ended without running (Slurm no longer knows it)` };
    if (status === 'running') return { status: 'interrupted', ended: now(), error: `job ${jobId} ended without recording an end (Slurm no longer knows it)` };
    return {};
  }
  if (isActive(job.state)) {
    if (job.state === 'PENDING' || job.state.startsWith('REQUEUE') || job.state === 'SPECIAL_EXIT') return status === 'queued' ? {} : { status: 'queued', ended: null };
    // An end recorded by this attempt (the job is exiting) stands; one recorded before it started (requeued) does not.
    const recordedEnd = status === 'failed' || status === 'interrupted' || status === 'cancelled';
    if (recordedEnd && !(Date.parse(job.startTime) > Date.parse(record.ended ?? ''))) return {};
    return status === 'running' ? {} : { status: 'running', ended: null };
  }
  const ended = record.ended ?? now();
  switch (job.state) {
    case 'COMPLETED':
      return status === 'queued' || status === 'running' ? { status: 'failed', ended, error: `job ${jobId} ended (exit 0) without finishing the instance; see its log` } : {};
    case 'CANCELLED': {
      const started = status === 'running' || status === 'interrupted' || status === 'failed';
      if (started && job.reason !== 'DependencyNeverSatisfied') {
        return status === 'failed' ? {} : { status: 'interrupted', ended, error: record.error ?? `job ${jobId} was cancelled` };
      }
      return { status: 'cancelled', ended, error: record.error ?? `not run: ${blockerOf(instance, found) ?? `job ${jobId} was cancelled`}` };
    }
    case 'TIMEOUT':
      return { status: 'interrupted', ended, error: `job ${jobId} reached its time limit (launcher.time); run the command again to resume it from its checkpoint` };
    default:
      if (status === 'interrupted' || status === 'failed') return {};
      return { status: 'failed', ended, error: `job ${jobId} ended ${job.state} (${exitText(job)}) before recording why; see its log` };
  }
}

/** `sft failed`: the first instance upstream that did not finish, as the reason a job was cancelled. */
function blockerOf(instance: StageInstance | undefined, found: Map<string, InstanceRecord>): string | undefined {
  for (const id of instance ? upstreamIds(instance) : []) {
    const status = found.get(id)?.status;
    if (status === 'failed' || status === 'interrupted' || status === 'cancelled') return `${id} ${status === 'cancelled' ? 'was cancelled' : status}`;
  }
  return undefined;
}

export function exitText(job: SlurmJob): string {
  return job.signal > 0 ? `exit ${job.exitCode}, signal ${job.signal}` : `exit ${job.exitCode}`;
}
