/**
 * `dpo-run PIPELINE --launcher slurm [--wait]`: submit one sbatch job per stage instance the
 * cache lacks and return (exit 0 once queued), or with --wait follow the jobs until the run
 * ends (0 done, 1 a stage failed, 130 interrupted, or the following stopped with Ctrl-C).
 * With --dry-run: print the job scripts it would submit.
 */
import { EXIT } from '../core/errors.ts';
import type { RunStatus } from '../core/manifestRecord.ts';
import { exitCodeOf, type Output } from '../executor/index.ts';
import { scheduleRun, type Selection } from '../executor/schedule.ts';
import { describeSlurmDryRun, followRuns, refreshSweepFile, submitPlans } from '../executor/slurm/index.ts';
import type { Invocation } from '../executor/executePlan.ts';
import type { Plan } from '../pipeline/types.ts';
import { writeSweepReport, type RunOptions } from './run.ts';

interface SlurmRunOptions extends Omit<RunOptions, 'sweep'> {
  /** Absolute. */
  runsDir: string;
  selection: Selection;
  /** A command-line sweep: several runs under one sweep folder. */
  sweep: boolean;
  /** How the run was asked for, recorded in each manifest. */
  invocation?: Invocation;
}

export async function runOnSlurm(plans: Plan[], options: SlurmRunOptions, output: Output): Promise<number> {
  const cwd = process.cwd();
  const { runsDir, selection, sweep } = options;
  if (options.dryRun) {
    for (const plan of plans) process.stdout.write(describeSlurmDryRun(plan, { runsDir, cwd, selection, sweep }).join('\n') + '\n');
    return EXIT.ok;
  }
  for (const plan of plans) scheduleRun(plan, runsDir, selection); // --only/--force name real stages
  const backend = options.backend ?? plans[0].backend;
  const submission = submitPlans(plans, { runsDir, cwd, backend, selection, output, sweep, invocation: options.invocation });
  if (submission.sweepDir) output.write(`sweep ${submission.sweepDir}: ${plans.length} runs\n`);
  if (!options.wait) return EXIT.ok;

  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const statuses = await followRuns(submission.runs.map((r) => r.runDir), { output, signal: controller.signal });
    const status = combined(statuses);
    if (submission.sweepDir) refreshSweepFile(submission.sweepDir);
    const report = submission.sweepDir && status === 'done' ? await writeSweepReport(submission.sweepDir) : undefined;
    if (report) output.write(`report: ${report}\n`);
    return exitCodeOf[status];
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** The worst status wins: interrupted, then failed, then done. */
function combined(statuses: RunStatus[]): RunStatus {
  for (const status of ['interrupted', 'failed', 'running'] as const) if (statuses.includes(status)) return status;
  return 'done';
}
