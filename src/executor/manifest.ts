/**
 * `manifest.json`: what a run did, rewritten atomically each time an instance starts or
 * ends, so that it describes the run even when the run was killed.
 */
import type { InstanceRecord, ManifestData, RunStatus } from '../core/manifestRecord.ts';
import { writeJsonAtomic } from '../core/io/writeAtomic.ts';
import { projectVersion } from './fingerprint.ts';

export type { InstanceRecord, InstanceStatus, ManifestData, RunStatus } from '../core/manifestRecord.ts';

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
