/**
 * The manifest of a run on Slurm, written by the command that submits it and by every job
 * (each on its own node, at any time): each change reads, changes and rewrites the file
 * under a short lock (`manifest.json.lock`), so that no job's change is lost. The run's
 * status follows from its instances': running while any is queued or running, then failed
 * if any failed, interrupted if any was interrupted or cancelled, else done.
 */
import { readFileSync } from 'node:fs';
import { EXIT, UserError } from '../../core/errors.ts';
import type { InstanceRecord, ManifestData, RunStatus } from '../../core/manifestRecord.ts';
import { writeJsonAtomic } from '../../core/io/writeAtomic.ts';
import { acquireLock } from '../lock.ts';
import { now, type ManifestWriter } from '../manifest.ts';

/** A manifest lock is held for milliseconds: one left by a holder on another host is stale after this. */
const MANIFEST_LOCK_STALE_MS = 30_000;
const MANIFEST_LOCK_WAIT_MS = 60_000;

export function readManifest(file: string): ManifestData {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ManifestData;
  } catch (error) {
    throw new UserError(`${file}: not readable JSON (${(error as Error).message})`, undefined, EXIT.stageFailed);
  }
}

/** Changes the manifest at `file` under its lock; the run's status is then worked out again. Returns what was written. */
export function updateManifest(file: string, change: (data: ManifestData) => void): ManifestData {
  const lock = waitForLock(`${file}.lock`);
  try {
    const data = readManifest(file);
    change(data);
    const status = runStatusOf(Object.values(data.instances));
    if (status !== data.status) Object.assign(data, { status, ended: status === 'running' ? null : now() });
    writeJsonAtomic(file, data);
    return data;
  } finally {
    lock.release();
  }
}

/** The status a run on Slurm has when its instances have these records. */
export function runStatusOf(records: readonly InstanceRecord[]): RunStatus {
  const statuses = new Set(records.map((r) => r.status));
  if (statuses.has('pending') || statuses.has('queued') || statuses.has('running')) return 'running';
  if (statuses.has('failed')) return 'failed';
  if (statuses.has('interrupted') || statuses.has('cancelled')) return 'interrupted';
  return 'done';
}

/** The executor's view of a shared manifest: each update is one locked read-change-write. */
export class SharedManifest implements ManifestWriter {
  data: ManifestData;

  constructor(readonly file: string) {
    this.data = readManifest(file);
  }

  update(id: string, change: Partial<InstanceRecord>): void {
    this.data = updateManifest(this.file, (data) => Object.assign(data.instances[id], change));
  }

  /** The run's status follows from its instances' (see runStatusOf), whatever one job says. */
  finish(_status: RunStatus): void {
    this.data = updateManifest(this.file, () => {});
  }

  write(): void {
    this.data = updateManifest(this.file, () => {});
  }
}

function waitForLock(file: string) {
  const deadline = Date.now() + MANIFEST_LOCK_WAIT_MS;
  for (;;) {
    try {
      return acquireLock(file, 'the run manifest', { staleAfterMs: MANIFEST_LOCK_STALE_MS });
    } catch (error) {
      if (!(error instanceof UserError) || Date.now() > deadline) throw error;
      sleepSync(20 + Math.random() * 30);
    }
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
