/**
 * What `manifest.json` holds: a run's record of what it did (written by the executor,
 * src/executor/manifest.ts; read by the report and the run commands).
 */

/** On wasm: whether the native kernels (native/, BLIS) were registered, and why not. */
export interface NativeKernelsRecord {
  loaded: boolean;
  reason: string;
  kernels: string[];
}

/** `queued` and `cancelled` (never run: a stage it needs failed) occur in runs launched on Slurm. */
export type InstanceStatus = 'pending' | 'queued' | 'running' | 'done' | 'cached' | 'failed' | 'interrupted' | 'cancelled' | 'skipped';
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
  /**
   * Once done: the peak resident memory (MB) of the process that ran it, when it ended: the
   * instance's own under --isolate or Slurm (a process each), else the run's so far.
   */
  peak_rss_mb?: number;
  /** On Slurm: the job that runs this instance. */
  job?: JobRecord;
}

/** The Slurm job of an instance: its id, the node and process that run it (once started), its log file. */
export interface JobRecord {
  id: string;
  node: string | null;
  pid: number | null;
  log: string;
}

export interface ManifestData {
  pipeline: string;
  file: string;
  run_id: string;
  version: string;
  /** `<version> <sha256 of the sources>`: the code that ran (see src/executor/codeHash.ts). */
  code: string;
  /** `local`: the process below runs every instance; `slurm`: one job per instance (src/executor/slurm/). */
  launcher: 'local' | 'slurm';
  /** The process that runs (ran) it, and its host: a manifest left `running` by a process that is gone was killed. */
  pid: number;
  host: string;
  status: RunStatus;
  started: string;
  ended: string | null;
  /** The command line as typed (null when the run was not started from the command line). Absent in older manifests. */
  command?: string | null;
  /** The --set and --sweep arguments of the command line. Absent in older manifests. */
  overrides?: { set: string[]; sweep: string[] };
  /** dpo-run's, Node's and TensorFlow.js's versions, and the backend in use. Absent in older manifests. */
  versions?: { dpo_run: string; node: string; tfjs: string; backend: string };
  backend: { name: string; provider: string; passed_over: { candidate: string; reason: string }[]; native: NativeKernelsRecord | null };
  run_sweep: Record<string, unknown>;
  only: string[];
  force: string[];
  /** Keyed by instance id, in plan order. */
  instances: Record<string, InstanceRecord>;
}
