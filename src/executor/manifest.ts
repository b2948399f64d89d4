/**
 * `manifest.json`: what a run did, rewritten atomically each time an instance starts or
 * ends, so that it describes the run even when the run was killed.
 */
import type { BackendChoice } from '../backend/index.ts';
import type { Plan } from '../pipeline/types.ts';
import { writeJsonAtomic } from './writeAtomic.ts';
import { projectVersion } from './fingerprint.ts';

export type InstanceStatus = 'pending' | 'running' | 'done' | 'cached' | 'failed' | 'interrupted' | 'skipped';
export type RunStatus = 'running' | 'done' | 'failed' | 'interrupted';

export interface InstanceRecord {
  stage: string;
  kind: string;
  fingerprint: string;
  status: InstanceStatus;
  cache_hit: boolean;
  started: string | null;
  ended: string | null;
  backend: string;
  /** The cache folder holding the outputs (absolute). */
  output: string;
  error: string | null;
}

export interface ManifestData {
  pipeline: string;
  file: string;
  run_id: string;
  version: string;
  status: RunStatus;
  started: string;
  ended: string | null;
  backend: { name: string; provider: string; passed_over: BackendChoice['passedOver']; native: BackendChoice['native'] | null };
  run_sweep: Record<string, unknown>;
  only: string[];
  force: string[];
  /** Keyed by instance id, in plan order. */
  instances: Record<string, InstanceRecord>;
}

export class Manifest {
  readonly data: ManifestData;

  constructor(
    readonly file: string,
    header: Omit<ManifestData, 'version' | 'status' | 'started' | 'ended' | 'instances'>,
  ) {
    this.data = { ...header, version: projectVersion, status: 'running', started: now(), ended: null, instances: {} };
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
    if (status === 'interrupted') {
      for (const record of Object.values(this.data.instances)) {
        if (record.status === 'running') Object.assign(record, { status: 'interrupted', ended: now() });
      }
    }
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
