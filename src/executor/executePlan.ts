/**
 * Runs one Plan: its instances in order, each either found in the cache or run in its
 * work folder and then committed to the cache, with the run folder, the manifest, the
 * lock of each entry, and interruption handled here.
 *
 *   schedule -> run folder + pipeline.resolved.yaml -> for each instance:
 *     cached? link it : lock, run into .partial, commit, link, unlock
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { BackendChoice } from '../backend/index.ts';
import { EXIT, InterruptedError, StageError, UserError } from '../core/errors.ts';
import type { Plan } from '../pipeline/types.ts';
import type { StageContext, StageOutput } from '../core/stageContract.ts';
import { commitPartial, isCached, preparePartial } from './cache.ts';
import { manualInterruption, type Interruption } from './interruption.ts';
import { acquireLock, type Lock } from './lock.ts';
import { Manifest, now, type ManifestData, type RunStatus } from './manifest.ts';
import { processOutput, type Output } from './progress.ts';
import { createRunFolder, linkOutput } from './runFolder.ts';
import { scheduleRun, upstreamIds, type ScheduledInstance, type Selection } from './schedule.ts';
import { createStageContext } from './stageContext.ts';

export interface ExecuteOptions extends Partial<Selection> {
  runsDir: string;
  backend: BackendChoice;
  /** Where progress and messages go (default: stderr). */
  output?: Output;
  /** Default: never interrupted. The CLI passes interruptOnSignals(). */
  interruption?: Interruption;
  /** The sweep folder, when this run is one of a command-line sweep. */
  sweepDir?: string;
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

export async function executePlan(plan: Plan, options: ExecuteOptions): Promise<RunResult> {
  const runsDir = resolve(options.runsDir);
  const output = options.output ?? processOutput();
  const interruption = options.interruption ?? manualInterruption();
  const selection = { only: options.only ?? [], force: options.force ?? [] };
  const scheduled = scheduleRun(plan, runsDir, selection);

  const runDir = createRunFolder(runsDir, plan, options.sweepDir);
  const manifest = new Manifest(join(runDir, 'manifest.json'), {
    pipeline: plan.name,
    file: plan.file,
    run_id: runDir.split(/[\\/]/).pop()!,
    backend: { name: options.backend.name, provider: options.backend.provider, passed_over: options.backend.passedOver, native: options.backend.native ?? null },
    run_sweep: plan.runSweep,
    ...selection,
  });
  for (const s of scheduled) {
    manifest.add(s.instance.id, {
      stage: s.instance.stage,
      kind: s.instance.kind,
      fingerprint: s.entry.fingerprint,
      status: s.selected ? 'pending' : 'skipped',
      cache_hit: false,
      started: null,
      ended: null,
      backend: options.backend.name,
      output: s.entry.dir,
      error: null,
    });
  }
  manifest.write();
  output.write(`run ${runDir}\n`);

  let lock: Lock | undefined;
  const forgetLastWords = interruption.atForcedExit(() => {
    manifest.finish('interrupted');
    lock?.release();
  });
  const outputs = new Map<string, StageOutput>();
  const notDone = new Set<string>();
  let status: RunStatus = 'done';
  try {
    for (const s of scheduled) {
      if (!s.selected) continue;
      const { instance, entry } = s;
      if (interruption.signal.aborted) {
        status = 'interrupted';
        break;
      }
      const blocker = upstreamIds(instance).find((id) => notDone.has(id));
      if (blocker) {
        notDone.add(instance.id);
        manifest.update(instance.id, { status: 'skipped', error: `not run: ${blocker} did not finish` });
        continue;
      }
      if (!s.forced && isCached(entry)) {
        recordCached(s);
        continue;
      }
      try {
        mkdirSync(dirname(entry.lockFile), { recursive: true });
        lock = acquireLock(entry.lockFile, `cache entry ${entry.name} (${instance.id})`);
      } catch (error) {
        manifest.update(instance.id, { status: 'failed', error: (error as Error).message });
        manifest.finish('failed');
        throw error;
      }
      try {
        if (!s.forced && isCached(entry)) recordCached(s); // finished by another run meanwhile
        else await runInstance(s);
      } catch (error) {
        if (error instanceof InterruptedError || interruption.signal.aborted) {
          status = 'interrupted';
          break;
        }
        notDone.add(instance.id);
        status = 'failed';
        manifest.update(instance.id, { status: 'failed', ended: now(), error: (error as Error).message ?? String(error) });
        output.write(describeFailure(instance.id, error, entry.partialDir));
      } finally {
        lock.release();
        lock = undefined;
      }
    }
  } finally {
    forgetLastWords();
  }
  manifest.finish(status);
  output.write(`${status}: ${summarize(manifest.data)}; manifest ${manifest.file}\n`);
  return { runDir, status, manifest: manifest.data };

  function recordCached(s: ScheduledInstance): void {
    const time = now();
    manifest.update(s.instance.id, { status: 'cached', cache_hit: true, started: time, ended: time });
    publish(s);
    output.write(`[${s.instance.id}] cached (${s.entry.name})\n`);
  }

  async function runInstance(s: ScheduledInstance): Promise<void> {
    const { instance, entry } = s;
    preparePartial(entry, s.forced);
    manifest.update(instance.id, { status: 'running', started: now() });
    output.write(`[${instance.id}] running ${instance.kind} (${entry.name})\n`);
    const started = Date.now();
    let ctx: StageContext | undefined;
    try {
      ctx = createStageContext({ instance, outDir: entry.partialDir, outputs, backend: options.backend.name, output, signal: interruption.signal });
      await s.kind.run(ctx);
    } finally {
      ctx?.progress.stop();
    }
    commitPartial(entry, instance);
    manifest.update(instance.id, { status: 'done', ended: now() });
    publish(s);
    output.write(`[${instance.id}] done in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  }

  function publish({ instance, entry }: ScheduledInstance): void {
    outputs.set(instance.id, { id: instance.id, stage: instance.stage, kind: instance.kind, dir: entry.dir, settings: instance.settings, sweep: instance.sweep });
    linkOutput(runDir, instance.id, entry.dir);
  }
}

/** A StageError or UserError as its message and hint; anything else with its stack. */
function describeFailure(id: string, error: unknown, partialDir: string): string {
  const kept = `  (its partial output is kept in ${partialDir})\n`;
  if (error instanceof StageError || error instanceof UserError) {
    return `error: ${id} failed: ${error.message}\n` + (error.hint ? `  ${error.hint}\n` : '') + kept;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `error: ${id} failed with an internal error:\n${text}\n` + kept;
}

function summarize(manifest: ManifestData): string {
  const counts = new Map<string, number>();
  for (const record of Object.values(manifest.instances)) counts.set(record.status, (counts.get(record.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
}
