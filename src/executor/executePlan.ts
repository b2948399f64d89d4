/**
 * Runs one Plan: its instances in order, each either found in the cache or run in its
 * work folder and then committed to the cache, with the run folder, the manifest, the
 * lock of each entry, and interruption handled here.
 *
 *   startRun:     tidy the runs folder, schedule, run folder + pipeline.resolved.yaml, manifest
 *   runAll:       for each selected instance, in order, stepInstance:
 *                   upstream not done? skip : complete in the cache? link it :
 *                   lock, run into .partial, commit, link, unlock
 *   finish:       the manifest's final status and one summary line
 */
import { dirname, join, resolve } from 'node:path';
import type { BackendChoice } from '../backend/index.ts';
import { EXIT, InterruptedError } from '../core/errors.ts';
import { fsUserError } from '../core/fsErrors.ts';
import { safeName } from '../core/io/safeName.ts';
import { makeFolder } from '../core/io/makeFolder.ts';
import { redirectWarnings } from '../core/warnings.ts';
import { setRunSignal } from '../core/runSignal.ts';
import type { Plan } from '../pipeline/types.ts';
import type { StageContext, StageOutput } from '../core/stageContract.ts';
import { checkEntry, commitPartial, preparePartial, removeReplacedEntries } from './cache.ts';
import { manualInterruption, type Interruption } from './interruption.ts';
import { acquireLock, type Lock } from './lock.ts';
import { Manifest, markAbandonedRuns, now, MANIFEST_FILE, type ManifestData, type ManifestWriter, type RunStatus } from './manifest.ts';
import { processOutput, type Output } from './progress.ts';
import { createRunFolder, linkOutput } from './runFolder.ts';
import { describeDamage, describeFailure, summarize } from './runMessages.ts';
import { scheduleRun, upstreamIds, type ScheduledInstance, type Selection } from './schedule.ts';
import { createStageContext } from './stageContext.ts';
import { stepIsolated } from './isolate.ts';
import { writeLaunch } from './slurm/launchFile.ts';
import { RunProgress } from './runProgress.ts';
import { formatDuration } from '../core/duration.ts';
import { versions } from '../core/versions.ts';

export interface ExecuteOptions extends Partial<Selection> {
  runsDir: string;
  backend: BackendChoice;
  /**
   * Given when `backend` only stands in for one not loaded yet (the CLI loads none for a run
   * the cache holds whole): loads it when an instance has to run after all, and the manifest
   * then records the loaded one.
   */
  loadBackend?: () => Promise<BackendChoice>;
  /** Where progress and messages go (default: stderr). */
  output?: Output;
  /** Default: never interrupted. The CLI passes interruptOnSignals(). */
  interruption?: Interruption;
  /** The sweep folder, when this run is one of a command-line sweep. */
  sweepDir?: string;
  /** How the run was asked for, recorded in the manifest. */
  invocation?: Invocation;
  /**
   * --isolate: each instance to compute runs in a child process (`dpo-run run-instance`,
   * ./isolate.ts); `cwd` is the folder relative paths of the pipeline are taken from and
   * `backend` the backend asked for, both written to the run's plan.json for the child.
   */
  isolate?: { cwd: string; backend: string };
}

/** The command line of a run: as typed, and its overrides. */
export interface Invocation {
  command: string;
  set: string[];
  sweep: string[];
}

export interface RunResult {
  runDir: string;
  status: RunStatus;
  manifest: ManifestData;
}

export const exitCodeOf: Record<RunStatus, number> = {
  running: EXIT.ok,
  done: EXIT.ok,
  failed: EXIT.stageFailed,
  interrupted: EXIT.interrupted,
};

/**
 * One run in progress: what it was asked, its folder and manifest, and what has finished so
 * far. A Slurm job (./slurm/executeInstance.ts) makes one for the single instance it runs.
 */
export interface Run {
  backend: BackendChoice;
  /** Loads the backend that `backend` stands in for, before the first instance runs (see ExecuteOptions). */
  loadBackend?: () => Promise<BackendChoice>;
  output: Output;
  interruption: Interruption;
  scheduled: ScheduledInstance[];
  runDir: string;
  manifest: ManifestWriter;
  /** The finished outputs of every instance run or found so far, by instance id. */
  outputs: Map<string, StageOutput>;
  /** The instances that did not finish (failed, or skipped because an upstream did not). */
  notDone: Set<string>;
  /** The lock held while an instance runs (released by the forced-exit handler too). */
  lock?: Lock;
  progress: RunProgress;
  /** Each instance to compute runs in a child process (see ExecuteOptions.isolate). */
  isolate?: boolean;
}

/** What became of one instance. */
export type Step = 'done' | 'skipped' | 'failed' | 'interrupted';

export async function executePlan(plan: Plan, options: ExecuteOptions): Promise<RunResult> {
  const run = startRun(plan, options);
  const forgetLastWords = run.interruption.atForcedExit(() => {
    run.manifest.finish('interrupted');
    run.lock?.release();
  });
  let status: RunStatus;
  try {
    status = await runAll(run);
  } finally {
    forgetLastWords();
  }
  run.manifest.finish(status);
  run.output.write(`${status}: ${summarize(run.manifest.data)}; manifest ${run.manifest.file}\n`);
  return { runDir: run.runDir, status, manifest: run.manifest.data };
}

/**
 * Tidies what earlier runs left (runs of this pipeline whose process was killed are marked
 * interrupted; replaced cache entries not yet removed are removed), schedules the plan,
 * and makes the run folder and its manifest, before any stage runs.
 */
function startRun(plan: Plan, options: ExecuteOptions): Run {
  const runsDir = resolve(options.runsDir);
  const output = options.output ?? processOutput();
  const selection = { only: options.only ?? [], force: options.force ?? [] };
  const scheduled = scheduleRun(plan, runsDir, selection);
  for (const line of markAbandonedRuns(join(runsDir, safeName(plan.name)))) output.write(`${line}\n`);
  for (const left of removeReplacedEntries(runsDir)) output.write(`warning: could not remove ${left}, an entry a forced rerun replaced; delete it by hand\n`);

  const runDir = createRunFolder(runsDir, plan, options.sweepDir);
  const manifest = createManifest(runDir, plan, options, selection, scheduled);
  output.write(`run ${runDir}\n`);
  const interruption = options.interruption ?? manualInterruption();
  const progress = new RunProgress(scheduled);
  if (options.isolate) writeLaunch(runDir, { runs_dir: runsDir, cwd: options.isolate.cwd, backend: options.isolate.backend, ...selection, plan });
  return { isolate: options.isolate !== undefined, backend: options.backend, loadBackend: options.loadBackend, output, interruption, scheduled, runDir, manifest, outputs: new Map(), notDone: new Set(), progress };
}

/** Writes the run's first manifest: every instance pending, or skipped when --only leaves it out. */
function createManifest(runDir: string, plan: Plan, options: ExecuteOptions, selection: Selection, scheduled: ScheduledInstance[]): Manifest {
  const { backend, invocation } = options;
  const manifest = new Manifest(join(runDir, MANIFEST_FILE), {
    pipeline: plan.name,
    file: plan.file,
    run_id: runDir.split(/[\\/]/).pop()!,
    command: invocation?.command ?? null,
    overrides: { set: invocation?.set ?? [], sweep: invocation?.sweep ?? [] },
    versions: { ...versions(), backend: backend.name },
    launcher: 'local',
    backend: backendRecord(backend),
    run_sweep: plan.runSweep,
    ...selection,
  });
  for (const { instance, entry, selected } of scheduled) {
    manifest.add(instance.id, {
      stage: instance.stage,
      kind: instance.kind,
      fingerprint: entry.fingerprint,
      status: selected ? 'pending' : 'skipped',
      cache_hit: false,
      started: null,
      ended: null,
      backend: backend.name,
      output: entry.dir,
      error: null,
    });
  }
  manifest.write();
  return manifest;
}

/** Steps through the selected instances in order; the run's status. */
async function runAll(run: Run): Promise<RunStatus> {
  let status: RunStatus = 'done';
  for (const s of run.scheduled) {
    if (!s.selected) continue;
    if (run.interruption.signal.aborted) return 'interrupted';
    const step = run.isolate ? await stepIsolated(run, s) : await stepInstance(run, s);
    if (step === 'interrupted') return 'interrupted';
    if (step === 'failed') status = 'failed';
  }
  return status;
}

/** One instance: skipped when an upstream did not finish, found in the cache, or run under its entry's lock. */
export async function stepInstance(run: Run, s: ScheduledInstance): Promise<Step> {
  const { instance, entry } = s;
  const blocker = upstreamIds(instance).find((id) => run.notDone.has(id));
  if (blocker) {
    run.notDone.add(instance.id);
    run.manifest.update(instance.id, { status: 'skipped', error: `not run: ${blocker} did not finish` });
    return 'skipped';
  }
  if (!s.forced && useCached(run, s)) return 'done';
  run.lock = lockEntry(run, s);
  try {
    if (!s.forced && useCached(run, s, { quiet: true })) return 'done'; // finished by another run meanwhile
    await runInstance(run, s);
    return 'done';
  } catch (error) {
    if (error instanceof InterruptedError || run.interruption.signal.aborted) return 'interrupted';
    const shown = fsUserError(error, entry.partialDir) ?? error;
    run.notDone.add(instance.id);
    run.manifest.update(instance.id, { status: 'failed', ended: now(), error: (shown as Error).message ?? String(shown) });
    run.output.write(describeFailure(instance.id, shown, entry.partialDir));
    return 'failed';
  } finally {
    run.lock.release();
    run.lock = undefined;
  }
}

/**
 * Records the instance as cached and links it when its cache entry is complete; says why
 * not (one line) when the entry is damaged, which then counts as absent.
 */
export function useCached(run: Run, s: ScheduledInstance, { quiet = false } = {}): boolean {
  const check = checkEntry(s.entry.dir);
  if (check.status === 'damaged' && !quiet) run.output.write(describeDamage(s.instance.id, s.entry.name, check.problems));
  if (check.status !== 'complete') return false;
  const time = now();
  run.manifest.update(s.instance.id, { status: 'cached', cache_hit: true, started: time, ended: time });
  publish(run, s);
  run.output.write(`[${s.instance.id}] cached (${s.entry.name})\n`);
  return true;
}

/** Takes the lock of the instance's cache entry; a failure (held by another run, an unwritable cache) fails the run. */
function lockEntry(run: Run, { instance, entry }: ScheduledInstance): Lock {
  try {
    makeFolder(dirname(entry.lockFile));
    return acquireLock(entry.lockFile, `cache entry ${entry.name} (${instance.id})`);
  } catch (error) {
    run.manifest.update(instance.id, { status: 'failed', error: (fsUserError(error) ?? (error as Error)).message });
    run.manifest.finish('failed');
    throw error;
  }
}

/** Runs the stage into its work folder and commits the folder to the cache. */
async function runInstance(run: Run, s: ScheduledInstance): Promise<void> {
  const { instance, entry } = s;
  const log = (message: string) => run.output.write(`[${instance.id}] ${message}\n`);
  const removed = preparePartial(entry, s.forced);
  if (removed.length > 0) log(`removed ${removed.length} temporary file(s) an interrupted write left in ${entry.partialDir}: ${removed.join(', ')}`);
  if (run.loadBackend) await loadBackend(run);
  run.manifest.update(instance.id, { status: 'running', started: now(), backend: run.backend.name });
  log(`running ${instance.kind} (${entry.name}); ${run.progress.starting(s)}`);
  const started = Date.now();
  const restoreWarnings = redirectWarnings((message) => log(`warning: ${message}`));
  const restoreSignal = setRunSignal(run.interruption.signal);
  let ctx: StageContext | undefined;
  try {
    ctx = createStageContext({ instance, outDir: entry.partialDir, outputs: run.outputs, backend: run.backend.name, output: run.output, signal: run.interruption.signal });
    await s.kind.run(ctx);
  } finally {
    ctx?.progress.stop();
    restoreSignal();
    restoreWarnings();
  }
  const warning = commitPartial(entry, instance, s.kind.resumeOnly);
  const peakMb = Math.round(process.resourceUsage().maxRSS / 1024); // maxRSS is in KiB
  run.manifest.update(instance.id, { status: 'done', ended: now(), peak_rss_mb: peakMb });
  publish(run, s);
  if (warning) log(`warning: ${warning}`);
  const seconds = (Date.now() - started) / 1000;
  run.progress.finished(s, seconds);
  log(`done in ${seconds < 60 ? `${seconds.toFixed(1)}s` : formatDuration(seconds)}; peak memory of the process ${(peakMb / 1024).toFixed(1)} GB`);
}

/** Loads the backend the run's `backend` stood in for, and records it in the manifest. */
async function loadBackend(run: Run): Promise<void> {
  run.backend = await run.loadBackend!();
  run.loadBackend = undefined;
  run.manifest.data.backend = backendRecord(run.backend);
  if (run.manifest.data.versions) run.manifest.data.versions.backend = run.backend.name;
}

function backendRecord(backend: BackendChoice): ManifestData['backend'] {
  return { name: backend.name, provider: backend.provider, passed_over: backend.passedOver, native: backend.native ?? null };
}

/** Makes a finished instance's outputs available to the instances after it, and links them in the run folder. */
export function publish(run: Run, { instance, entry }: ScheduledInstance): void {
  run.outputs.set(instance.id, { id: instance.id, stage: instance.stage, kind: instance.kind, dir: entry.dir, settings: instance.settings, sweep: instance.sweep });
  linkOutput(run.runDir, instance.id, entry.dir);
}
