/**
 * `manifest.json`: what a run did, rewritten atomically each time an instance starts or
 * ends, so that it describes the run even when the run was killed. It names the process
 * and host that run it, so that a manifest left `running` by a killed process is known
 * for what it is and marked `interrupted` (markIfAbandoned).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { InstanceRecord, ManifestData, RunStatus } from '../core/manifestRecord.ts';
import { writeJsonAtomic } from '../core/io/writeAtomic.ts';
import { codeVersion, projectVersion } from './fingerprint.ts';
import { isProcessAlive } from './lock.ts';

export type { InstanceRecord, InstanceStatus, ManifestData, RunStatus } from '../core/manifestRecord.ts';

export const MANIFEST_FILE = 'manifest.json';

/** What the executor needs of a manifest while it runs instances: this class, or one shared by Slurm jobs (./slurm/sharedManifest.ts). */
export type ManifestWriter = Pick<Manifest, 'file' | 'data' | 'update' | 'finish'>;

export class Manifest {
  readonly data: ManifestData;

  constructor(
    readonly file: string,
    header: Omit<ManifestData, 'version' | 'code' | 'pid' | 'host' | 'status' | 'started' | 'ended' | 'instances'>,
  ) {
    this.data = {
      ...header,
      version: projectVersion,
      code: codeVersion(),
      pid: process.pid,
      host: hostname(),
      status: 'running',
      started: now(),
      ended: null,
      instances: {},
    };
  }

  add(id: string, record: InstanceRecord): void {
    this.data.instances[id] = record;
  }

  /** Changes an instance's record and writes the manifest. */
  update(id: string, change: Partial<InstanceRecord>): void {
    Object.assign(this.data.instances[id], change);
    this.write();
  }

  /** Sets the run's final status, marking an instance still running as `interrupted` when it was. */
  finish(status: RunStatus): void {
    if (status === 'interrupted') markRunningInterrupted(this.data, null);
    this.data.status = status;
    this.data.ended = now();
    this.write();
  }

  write(): void {
    writeJsonAtomic(this.file, this.data);
  }
}

export function now(): string {
  return new Date().toISOString();
}

function markRunningInterrupted(data: ManifestData, error: string | null): void {
  for (const record of Object.values(data.instances)) {
    if (record.status === 'running') Object.assign(record, { status: 'interrupted', ended: now(), ...(error ? { error } : {}) });
  }
}

/**
 * Whether the manifest `data` says `running` though its process is gone: same host, and
 * no process with its pid. On another host (a shared file system) nothing can be told; a
 * run on Slurm is told by its jobs (src/executor/slurm/runState.ts).
 */
export function isAbandoned(data: Partial<ManifestData>): boolean {
  if (data.launcher === 'slurm') return false; // its jobs hold it, not the process that submitted them
  if (data.status !== 'running' || typeof data.pid !== 'number' || data.host !== hostname()) return false;
  return data.pid !== process.pid && !isProcessAlive(data.pid);
}

/**
 * Marks the manifest at `file` interrupted when its process is gone (killed: kill -9, a
 * crash, a power cut) and returns the line that says so; undefined when it was not abandoned.
 */
export function markIfAbandoned(file: string): string | undefined {
  let data: ManifestData;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // unreadable: not ours to repair
  }
  if (!isAbandoned(data)) return undefined;
  const why = `the run's process (pid ${data.pid} on ${data.host}) ended without finishing it`;
  markRunningInterrupted(data, why);
  data.status = 'interrupted';
  data.ended = now();
  writeJsonAtomic(file, data);
  return `${file}: ${why}; marked interrupted`;
}

/**
 * Marks every abandoned run of a pipeline (`<pipelineDir>/<run>/manifest.json` and
 * `<pipelineDir>/sweep-*\/<run>/manifest.json`) interrupted; returns a line for each.
 */
export function markAbandonedRuns(pipelineDir: string): string[] {
  if (!existsSync(pipelineDir)) return [];
  const manifests: string[] = [];
  for (const name of readdirSync(pipelineDir)) {
    const dir = join(pipelineDir, name);
    if (existsSync(join(dir, MANIFEST_FILE))) manifests.push(join(dir, MANIFEST_FILE));
    else if (name.startsWith('sweep-') && existsSync(join(dir, 'sweep.json'))) {
      for (const run of readdirSync(dir)) if (existsSync(join(dir, run, MANIFEST_FILE))) manifests.push(join(dir, run, MANIFEST_FILE));
    }
  }
  return manifests.flatMap((file) => markIfAbandoned(file) ?? []);
}
