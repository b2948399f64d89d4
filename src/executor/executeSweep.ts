/**
 * Runs the plans of a command-line sweep (`--sweep seed=0,1,2`) one after the other under
 * one sweep folder, `sweep.json` listing each run and its status. The cache makes the
 * stages the runs share run once.
 */
import { join, relative, resolve } from 'node:path';
import type { Plan } from '../pipeline/types.ts';
import type { RunStatus } from './manifest.ts';
import { now } from './manifest.ts';
import { executePlan, type ExecuteOptions, type RunResult } from './executePlan.ts';
import { createSweepFolder } from './runFolder.ts';
import { writeJsonAtomic } from '../core/io/writeAtomic.ts';

export interface SweepResult {
  sweepDir: string;
  status: RunStatus;
  runs: RunResult[];
}

/** The worst status wins: interrupted, then failed, then done. */
function combined(statuses: RunStatus[]): RunStatus {
  for (const status of ['interrupted', 'failed', 'running'] as const) if (statuses.includes(status)) return status;
  return 'done';
}

export async function executeSweep(plans: Plan[], options: ExecuteOptions): Promise<SweepResult> {
  if (plans.length === 0) throw new Error('a sweep needs at least one plan');
  const sweepDir = createSweepFolder(resolve(options.runsDir), plans[0].name);
  const started = now();
  const runs: RunResult[] = [];
  const write = (status: RunStatus) =>
    writeJsonAtomic(join(sweepDir, 'sweep.json'), {
      pipeline: plans[0].name,
      file: plans[0].file,
      status,
      started,
      ended: status === 'running' ? null : now(),
      runs: plans.map((plan, i) => ({
        run_sweep: plan.runSweep,
        folder: runs[i] ? relative(sweepDir, runs[i].runDir) : null,
        status: runs[i]?.status ?? 'pending',
      })),
    });
  write('running');
  options.output?.write(`sweep ${sweepDir}: ${plans.length} runs\n`);
  for (const plan of plans) {
    if (options.interruption?.signal.aborted) break;
    runs.push(await executePlan(plan, { ...options, sweepDir }));
    write('running');
    if (runs.at(-1)!.status === 'interrupted') break;
  }
  const status = runs.length < plans.length ? 'interrupted' : combined(runs.map((r) => r.status));
  write(status);
  return { sweepDir, status, runs };
}
