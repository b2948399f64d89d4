/**
 * `dpo-run PIPELINE [options]`: load and validate the pipeline (with --set and --sweep),
 * choose the backend, then execute the plan, or the plans of a command-line sweep.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describeBackend, initBackend, type BackendRequest } from '../backend/index.ts';
import { EXIT, UserError } from '../core/errors.ts';
import { formatDiagnostics, loadPipeline } from '../pipeline/index.ts';
import {
  describeDryRun,
  executePlan,
  executeSweep,
  exitCodeOf,
  interruptOnSignals,
  processOutput,
  type Output,
} from '../executor/index.ts';
import { scheduleRun } from '../executor/schedule.ts';
import { readRunReport } from '../report/readRun.ts';
import { writeReport } from '../report/writeReport.ts';

export interface RunOptions {
  file: string;
  set: string[];
  sweep: string[];
  only: string[];
  force: string[];
  dryRun: boolean;
  runsDir: string;
  /** Overrides the pipeline's `backend`. */
  backend?: string;
  /** `local` (this process runs every instance; the default) or `slurm` (one sbatch job per instance). */
  launcher?: string;
  /** With --launcher slurm: follow the jobs until the run ends. */
  wait?: boolean;
}

const LAUNCHERS = ['local', 'slurm'];

export async function runCommand(options: RunOptions, output: Output = processOutput()): Promise<number> {
  const launcher = options.launcher ?? 'local';
  if (!LAUNCHERS.includes(launcher)) throw new UserError(`unknown launcher "${launcher}"`, `--launcher ${LAUNCHERS.join(' or ')}`);
  if (options.wait && launcher !== 'slurm') throw new UserError('--wait follows the jobs of --launcher slurm; a local run always waits', 'add --launcher slurm, or leave out --wait');
  const loaded = await loadPipeline(options.file, { set: options.set, sweep: options.sweep });
  if (loaded.errors) {
    process.stderr.write(formatDiagnostics(loaded.errors) + '\n');
    return EXIT.invalid;
  }
  const { plans } = loaded;
  const runsDir = resolve(options.runsDir);
  checkRunsDir(runsDir);
  const selection = { only: options.only, force: options.force };
  if (launcher === 'slurm') {
    const { runOnSlurm } = await import('./runSlurm.ts');
    return runOnSlurm(plans, { ...options, runsDir, selection, sweep: loaded.sweep }, output);
  }

  if (options.dryRun) {
    for (const plan of plans) process.stdout.write(describeDryRun(plan, runsDir, selection).join('\n') + '\n');
    return EXIT.ok;
  }
  for (const plan of plans) scheduleRun(plan, runsDir, selection); // --only/--force name real stages

  const backend = await initBackend((options.backend ?? plans[0].backend) as BackendRequest);
  output.write(describeBackend(backend) + '\n');

  const interruption = interruptOnSignals(output);
  try {
    const execute = { runsDir, backend, output, interruption, ...selection };
    if (!loaded.sweep) return exitCodeOf[(await executePlan(plans[0], execute)).status];
    const result = await executeSweep(plans, execute);
    if (result.status === 'done') await writeSweepReport(result.sweepDir, output);
    return exitCodeOf[result.status];
  } finally {
    interruption.dispose();
  }
}

/** A finished sweep ends with its report (the claims per run and across runs) when its runs evaluated anything. */
export async function writeSweepReport(sweepDir: string, output: Output): Promise<void> {
  const inputs = await readRunReport(sweepDir).catch(() => undefined);
  if (!inputs || inputs.frontier.length === 0) return;
  const [report] = await writeReport(sweepDir, inputs);
  output.write(`sweep report: ${report}\n`);
}

/** `--runs-dir` must name a folder, or a path where one can be made: a file there (or above it) is a bad command line. */
function checkRunsDir(runsDir: string): void {
  for (let path = runsDir; ; path = dirname(path)) {
    if (existsSync(path)) {
      if (statSync(path).isDirectory()) return;
      const what = path === runsDir ? 'is a file' : `is inside ${path}, which is a file`;
      throw new UserError(`--runs-dir ${runsDir} ${what}, not a folder; name a folder for the runs and the cache (e.g. --runs-dir runs)`);
    }
    if (dirname(path) === path) return;
  }
}
