/**
 * What one Slurm job does (`dpo-run run-instance RUN_FOLDER INSTANCE`): read the run's
 * plan.json, check that this node computes the fingerprint that was submitted, hand the
 * stage the cache entries of the instances it uses, and run the instance as the local
 * executor does (its entry's lock, its `.partial` work folder, resume from a checkpoint,
 * commit), recording in the shared manifest the job, the node and what became of it.
 *
 *   SIGTERM (scancel, pre-emption, time limit): the stage stops at its next step, keeps its
 *     `.partial` folder and checkpoints, and the job exits 130; requeued, it resumes.
 *   A failure: the job exits 1, and the instances downstream of it, which Slurm cancels
 *     (kill-on-invalid-dep), are recorded as cancelled.
 */
import { join } from 'node:path';
import { hostname } from 'node:os';
import type { BackendChoice } from '../../backend/index.ts';
import { EXIT, UserError } from '../../core/errors.ts';
import type { ManifestData } from '../../core/manifestRecord.ts';
import { checkEntry } from '../cache.ts';
import { stepInstance, type Run, type Step } from '../executePlan.ts';
import type { Interruption } from '../interruption.ts';
import { isLockFree, STALE_AFTER_MS } from '../lock.ts';
import { MANIFEST_FILE, now } from '../manifest.ts';
import type { Output } from '../progress.ts';
import { RunProgress } from '../runProgress.ts';
import { scheduleRun, upstreamIds, type ScheduledInstance } from '../schedule.ts';
import type { Launch } from './launchFile.ts';
import { SharedManifest, updateManifest } from './sharedManifest.ts';

export interface InstanceOptions {
  backend: BackendChoice;
  output: Output;
  interruption: Interruption;
}

const LOCK_POLL_MS = 2000;

export async function executeInstance(runDir: string, launch: Launch, instanceId: string, options: InstanceOptions): Promise<Step> {
  const manifest = new SharedManifest(join(runDir, MANIFEST_FILE));
  const scheduled = scheduleRun(launch.plan, launch.runs_dir, { only: launch.only, force: launch.force });
  const s = findInstance(scheduled, instanceId, runDir);
  checkFingerprint(manifest.data, s);
  const outputs = upstreamOutputs(scheduled, s);
  const submitted = manifest.data.instances[instanceId].job;
  const job = { id: process.env.SLURM_JOB_ID ?? submitted?.id ?? 'none', node: hostname(), pid: process.pid, log: submitted?.log ?? '' };
  manifest.update(instanceId, { job, backend: options.backend.name, error: null });

  const { signal } = options.interruption;
  // progress: which instance of the run's this job is ("stage 7 of 18"); no estimate of the time left, since each job runs one
  const run: Run = { ...options, scheduled: [s], runDir, manifest, outputs, notDone: new Set(), progress: new RunProgress(scheduled) };
  const forgetLastWords = options.interruption.atForcedExit(() => {
    markInterrupted(manifest, instanceId);
    run.lock?.release();
  });
  let step: Step;
  try {
    step = (await lockFreed(s.entry.lockFile, signal, options.output, instanceId)) ? await stepInstance(run, s) : 'interrupted';
  } finally {
    forgetLastWords();
  }
  if (step === 'interrupted') markInterrupted(manifest, instanceId);
  if (step === 'failed') cancelDownstream(manifest.file, launch, instanceId);
  return step;
}

function findInstance(scheduled: ScheduledInstance[], id: string, runDir: string): ScheduledInstance {
  const s = scheduled.find((x) => x.instance.id === id);
  if (!s) {
    const ids = scheduled.map((x) => x.instance.id).join(', ');
    throw new UserError(`the run ${runDir} has no instance "${id}"; its instances: ${ids}`, 'dpo-run run-instance RUN_FOLDER INSTANCE_ID', EXIT.invalid);
  }
  return s;
}

/** The job must fill the entry that was submitted: another code or other data files on this node would make another. */
function checkFingerprint(manifest: ManifestData, s: ScheduledInstance): void {
  const submitted = manifest.instances[s.instance.id]?.fingerprint;
  if (submitted && submitted !== s.entry.fingerprint) {
    throw new UserError(
      `${s.instance.id}: this node (${hostname()}) computes the fingerprint ${s.entry.fingerprint.slice(0, 16)}, not the submitted ${submitted.slice(0, 16)}: its dpo-run code or the data files it reads differ from the submitting host's`,
      'run the same dpo-run everywhere (the launcher command, on the shared file system) and keep data files on the shared file system',
      EXIT.stageFailed,
    );
  }
}

/** The finished outputs of the instances `s` uses; one not in the cache (its job did not finish it) is an error. */
function upstreamOutputs(scheduled: ScheduledInstance[], s: ScheduledInstance): Run['outputs'] {
  const outputs: Run['outputs'] = new Map();
  for (const id of new Set(upstreamIds(s.instance))) {
    const up = scheduled.find((x) => x.instance.id === id)!;
    if (checkEntry(up.entry.dir).status !== 'complete') {
      throw new UserError(`${s.instance.id} needs ${id}, whose cache entry ${up.entry.dir} is not complete`, `run ${id} first (dpo-run status shows what became of its job)`, EXIT.stageFailed);
    }
    outputs.set(id, { id, stage: up.instance.stage, kind: up.instance.kind, dir: up.entry.dir, settings: up.instance.settings, sweep: up.instance.sweep });
  }
  return outputs;
}

/**
 * Waits while another process holds the entry's lock: a requeued job on another node may
 * find the lock of its own killed run, whose heartbeat goes stale within STALE_AFTER_MS.
 * False when interrupted meanwhile.
 */
async function lockFreed(file: string, signal: AbortSignal, output: Output, id: string): Promise<boolean> {
  const deadline = Date.now() + STALE_AFTER_MS + 2 * LOCK_POLL_MS;
  let said = false;
  while (!isLockFree(file) && Date.now() < deadline) {
    if (!said) output.write(`[${id}] waiting for the lock ${file}\n`);
    said = true;
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    if (signal.aborted) return false;
  }
  return !signal.aborted;
}

function markInterrupted(manifest: SharedManifest, id: string): void {
  const why = 'interrupted (SIGTERM: cancelled, pre-empted or at its time limit); its partial output and checkpoints are kept, and it resumes from them when run again';
  manifest.update(id, { status: 'interrupted', ended: now(), error: why });
}

/** Every instance downstream of `failed` that waits for its job: Slurm cancels them (kill-on-invalid-dep). */
function cancelDownstream(file: string, launch: Launch, failed: string): void {
  const down = new Set([failed]);
  for (const instance of launch.plan.instances) {
    if (upstreamIds(instance).some((id) => down.has(id))) down.add(instance.id);
  }
  down.delete(failed);
  updateManifest(file, (data) => {
    for (const id of down) {
      const record = data.instances[id];
      if (record?.status === 'queued') Object.assign(record, { status: 'cancelled', ended: now(), error: `not run: ${failed} failed` });
    }
  });
}
