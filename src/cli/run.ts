/**
 * `dpo-run PIPELINE [options]`: load and validate the pipeline (with --set and --sweep),
 * choose the backend, then execute the plan, or the plans of a command-line sweep.
 * Everything it says goes to stderr except, at the end, the run (or sweep) folder on
 * stdout, so that `RUN=$(dpo-run ...)` captures it. TensorFlow.js and the report's
 * plotting libraries are loaded only once there is something to run: a run the cache holds
 * whole loads no backend (its manifest says so), and starts in well under a second.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { EXIT, UserError } from '../core/errors.ts';
import { safeName } from '../core/io/safeName.ts';
import { formatDiagnostics, loadPipeline, type Plan } from '../pipeline/index.ts';
import { describeDryRun, exitCodeOf, processOutput, type Output, type RunResult } from '../executor/index.ts';
import { scheduleRun, type ScheduledInstance } from '../executor/schedule.ts';
import { estimatePlan, memoryError, memoryLimit, SKIP_MEMORY_CHECK_ENV, traitsOf, type MemoryLimit } from '../executor/memoryCheck.ts';
import type { BackendChoice } from '../backend/index.ts';
import { backendRequest, type BackendRequest } from '../backend/backendNames.ts';

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
  /** The arguments as typed, for the manifest. */
  argv?: string[];
  /** `local` (this process runs every instance; the default) or `slurm` (one sbatch job per instance). */
  launcher?: string;
  /** With --launcher slurm: follow the jobs until the run ends. */
  wait?: boolean;
  /**
   * Local launcher: run each stage instance to compute in its own child process (`dpo-run
   * run-instance`): true always (--isolate), false never (--no-isolate), undefined when an
   * instance to compute is estimated above ISOLATE_ABOVE_BYTES.
   */
  isolate?: boolean;
  /** Run even when a stage instance's memory estimate exceeds what the backend can use (also DPO_RUN_SKIP_MEMORY_CHECK=1). */
  skipMemoryCheck?: boolean;
}

const LAUNCHERS = ['local', 'slurm'];

export async function runCommand(options: RunOptions, output: Output = processOutput()): Promise<number> {
  const launcher = options.launcher ?? 'local';
  if (!LAUNCHERS.includes(launcher)) throw new UserError(`unknown launcher "${launcher}"`, `--launcher ${LAUNCHERS.join(' or ')}`);
  if (options.wait && launcher !== 'slurm') throw new UserError('--wait follows the jobs of --launcher slurm; a local run always waits', 'add --launcher slurm, or leave out --wait');
  if (options.isolate && launcher !== 'local') throw new UserError('--isolate is for the local launcher: each Slurm job already runs one stage instance in its own process', 'leave out --isolate');
  const loaded = await loadPipeline(options.file, { set: options.set, sweep: options.sweep });
  if (loaded.errors) {
    process.stderr.write(formatDiagnostics(loaded.errors) + '\n');
    return EXIT.invalid;
  }
  const { plans, notes } = loaded;
  const runsDir = resolve(options.runsDir);
  checkRunsDir(runsDir);
  const selection = { only: options.only, force: options.force };
  if (launcher === 'slurm') {
    if (options.dryRun) process.stdout.write(notes.map((note) => `note: ${note}\n`).join(''));
    else for (const note of notes) output.write(`note: ${note}\n`);
    const invocation = { command: commandLine(options.argv ?? []), set: options.set, sweep: options.sweep };
    const { runOnSlurm } = await import('./runSlurm.ts');
    return runOnSlurm(plans, { ...options, runsDir, selection, sweep: loaded.sweep, invocation }, output);
  }

  if (options.dryRun) {
    const lines = [...notes.map((note) => `note: ${note}`), ...plans.flatMap((plan) => describeDryRun(plan, runsDir, selection, options.backend ?? plan.backend))];
    process.stdout.write(lines.join('\n') + '\n');
    return EXIT.ok;
  }
  // --only/--force name real stages (a UserError otherwise); what the cache holds
  const schedules = plans.map((plan) => scheduleRun(plan, runsDir, selection));
  const cachedWhole = schedules.every((scheduled) => scheduled.every((s) => !s.selected || (s.cached && !s.forced)));
  for (const note of notes) output.write(`note: ${note}\n`);

  const { executePlan, executeSweep, interruptOnSignals } = await import('../executor/index.ts');
  const request = backendRequest(options.backend ?? plans[0].backend);
  const loadBackend = async (): Promise<BackendChoice> => {
    const { describeBackend, initBackend } = await import('../backend/index.ts');
    const backend = await initBackend(request);
    output.write(describeBackend(backend) + '\n');
    return backend;
  };
  if (cachedWhole) output.write(`backend: none loaded (the cache holds every stage instance)\n`);
  const backend = cachedWhole ? notLoaded(request) : await loadBackend();
  let isolated = options.isolate === true;
  if (!cachedWhole) {
    const { bytesInUse } = await import('../backend/index.ts');
    checkMemory(plans, schedules, memoryLimit(backend.name, backend.provider, backend.name === 'wasm' ? bytesInUse() : 0), options, output);
    const largest = options.isolate === undefined ? largestEstimate(plans, schedules, backend.name) : undefined;
    if (largest && largest.bytes > ISOLATE_ABOVE_BYTES) {
      isolated = true;
      output.write(`note: each stage instance runs in its own process: ${largest.id} is estimated at ${(largest.bytes / 2 ** 30).toFixed(1)} GB, and a crash or the OOM killer then ends that instance only (about 2.5 s each; --no-isolate runs them in this process)\n`);
    }
  }

  const interruption = interruptOnSignals(output);
  const invocation = { command: commandLine(options.argv ?? []), set: options.set, sweep: options.sweep };
  try {
    const isolate = isolated ? { cwd: process.cwd(), backend: request } : undefined;
    const execute = { runsDir, backend, loadBackend: cachedWhole ? loadBackend : undefined, output, interruption, invocation, isolate, ...selection };
    if (!loaded.sweep) {
      const result = await executePlan(plans[0], execute);
      finish(result.runDir, result.status, reportsOf(plans[0], result), options, output);
      return exitCodeOf[result.status];
    }
    const result = await executeSweep(plans, execute);
    const report = result.status === 'done' ? await writeSweepReport(result.sweepDir) : undefined;
    finish(result.sweepDir, result.status, report ? [report] : [], options, output);
    return exitCodeOf[result.status];
  } finally {
    interruption.dispose();
  }
}

/** Stops the run (exit 2) before any stage runs when an instance it would compute cannot fit; with the override, says so and goes on. */
function checkMemory(plans: Plan[], schedules: ScheduledInstance[][], limit: MemoryLimit, options: RunOptions, output: Output): void {
  for (const [i, plan] of plans.entries()) {
    const runs = schedules[i].filter((s) => s.selected && (s.forced || !s.cached)).map((s) => s.instance);
    const error = memoryError(plan, runs, limit);
    if (!error) continue;
    if (!options.skipMemoryCheck && process.env[SKIP_MEMORY_CHECK_ENV] !== '1') throw error;
    output.write(`warning: ${error.message.split('\n')[0]}; running anyway (memory check skipped)\n`);
    return;
  }
}

/**
 * Above this estimate an instance's model is large enough (GPT-2 small and up) that its
 * stage takes minutes, and the 2.5 s of a child process per instance buys that a crash or
 * the OOM killer ends that instance only; below it (imdb.yaml's are under 0.5 GB) the run
 * keeps every instance in its own process, which is faster.
 */
export const ISOLATE_ABOVE_BYTES = 2 * 2 ** 30;

/** The largest memory estimate among the instances the run will compute, and whose. */
function largestEstimate(plans: Plan[], schedules: ScheduledInstance[][], backendName: string): { id: string; bytes: number } | undefined {
  let largest: { id: string; bytes: number } | undefined;
  for (const [i, plan] of plans.entries()) {
    const estimates = estimatePlan(plan, traitsOf(backendName));
    for (const s of schedules[i]) {
      const bytes = s.selected && (s.forced || !s.cached) ? (estimates.get(s.instance.id)?.total ?? 0) : 0;
      if (!largest || bytes > largest.bytes) largest = { id: s.instance.id, bytes };
    }
  }
  return largest;
}

/** What the manifest of a run that loads no backend records: the backend asked for, not loaded. */
function notLoaded(request: BackendRequest): BackendChoice {
  return { name: request, provider: 'none loaded: the cache held every stage instance', passedOver: [] };
}

/** Where the results are: the reports on stderr, the run folder on stdout; after an interruption, the command that resumes. */
function finish(folder: string, status: string, reports: string[], options: RunOptions, output: Output): void {
  for (const report of reports) output.write(`report: ${report}\n`);
  if (status === 'interrupted') output.write(`to resume: ${resumeCommand(options)}\n`);
  process.stdout.write(folder + '\n');
}

/** The report.md of each finished report instance of a run. */
function reportsOf(plan: Plan, result: RunResult): string[] {
  return plan.instances
    .filter((i) => i.kind === 'report' && ['done', 'cached'].includes(result.manifest.instances[i.id]?.status))
    .map((i) => join(result.runDir, 'outputs', safeName(i.id), 'report.md'))
    .filter((file) => existsSync(file));
}

/** A finished sweep ends with its report (the claims per run and across runs) when its runs evaluated anything; its path. */
export async function writeSweepReport(sweepDir: string): Promise<string | undefined> {
  const { readRunReport } = await import('../report/readRun.ts');
  const { writeReport } = await import('../report/writeReport.ts');
  const inputs = await readRunReport(sweepDir).catch(() => undefined);
  if (!inputs || inputs.frontier.length === 0) return undefined;
  const [report] = await writeReport(sweepDir, inputs);
  return report;
}

/** The same command, less --force (what was forced and finished is in the cache; what was not resumes from its checkpoint). */
export function resumeCommand(options: RunOptions): string {
  const words = [options.file];
  for (const set of options.set) words.push('--set', set);
  for (const sweep of options.sweep) words.push('--sweep', sweep);
  if (options.only.length > 0) words.push('--only', options.only.join(','));
  if (options.runsDir !== 'runs') words.push('--runs-dir', options.runsDir);
  if (options.backend) words.push('--backend', options.backend);
  if (options.isolate === true) words.push('--isolate');
  if (options.isolate === false) words.push('--no-isolate');
  return commandLine(words);
}

/** `dpo-run ARGS` with each argument quoted for a POSIX shell where it needs it. */
function commandLine(argv: string[]): string {
  return [invokedAs(), ...argv.map(shellQuote)].join(' ');
}

function invokedAs(): string {
  if (process.env.npm_command === 'exec') return 'npx dpo-run';
  const script = process.argv[1] ?? 'dpo-run';
  return basename(script) === 'dpo-run' ? 'dpo-run' : `node ${relative(process.cwd(), script) || script}`;
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./~-]+$/.test(word) && !word.startsWith('~') ? word : `'${word.replace(/'/g, `'\\''`)}'`;
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
