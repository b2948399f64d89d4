/**
 * `--launcher slurm`: each plan gets its run folder (pipeline.resolved.yaml, plan.json, a
 * manifest), then one sbatch job per selected instance the cache does not hold, in plan
 * (dependency) order, each waiting (afterok) for the jobs of the instances it uses. An
 * instance whose cache entry a job still queued or running will fill (an earlier
 * submission; an instance shared by the runs of a sweep) gets no second job: that job is
 * recorded, and waited for. Nothing runs here; the command returns once the jobs are queued.
 * If a submission fails, the jobs this command queued are cancelled.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { safeName } from '../../core/io/safeName.ts';
import type { Plan } from '../../pipeline/types.ts';
import { versions } from '../../core/versions.ts';
import type { Invocation } from '../executePlan.ts';
import { Manifest, MANIFEST_FILE, now } from '../manifest.ts';
import type { Output } from '../progress.ts';
import { createRunFolder, createSweepFolder, linkOutput } from '../runFolder.ts';
import { scheduleRun, upstreamIds, type ScheduledInstance, type Selection } from '../schedule.ts';
import { jobComment, jobScript } from './jobScript.ts';
import { writeLaunch } from './launchFile.ts';
import { writeSweepFile } from './sweepFile.ts';
import { updateManifest } from './sharedManifest.ts';
import { activeJobsByComment, sbatch, scancel, showJobs } from './slurmCommands.ts';

export interface SubmitOptions {
  /** Absolute. */
  runsDir: string;
  /** The folder relative paths of the pipeline are taken from (the jobs run there). */
  cwd: string;
  /** The backend asked for: each job chooses on its node. */
  backend: string;
  selection: Selection;
  output: Output;
  /** A command-line sweep: the runs go under one sweep folder. */
  sweep: boolean;
  /** How the run was asked for, recorded in the manifest. */
  invocation?: Invocation;
}

export interface SubmittedRun {
  runDir: string;
  /** Instance id -> job id, for every instance that has a job (new or reused). */
  jobs: Map<string, string>;
}

export interface Submission {
  sweepDir?: string;
  runs: SubmittedRun[];
  /** The jobs this command queued. */
  submitted: string[];
}

/** Whether a scheduled instance needs a job: selected, and forced or not in the cache. */
export function needsJob(s: ScheduledInstance): boolean {
  return s.selected && (s.forced || !s.cached);
}

export function submitPlans(plans: Plan[], options: SubmitOptions): Submission {
  const active = activeJobsByComment(); // first: a missing or unreachable Slurm fails before any folder is made
  const sweepDir = options.sweep ? createSweepFolder(options.runsDir, plans[0].name) : undefined;
  const submission: Submission = { sweepDir, runs: [], submitted: [] };
  try {
    for (const plan of plans) submission.runs.push(submitPlan(plan, options, active, submission.submitted, sweepDir));
  } catch (error) {
    scancel(submission.submitted);
    if (submission.submitted.length > 0) options.output.write(`cancelled the ${submission.submitted.length} job(s) this command had queued: ${submission.submitted.join(' ')}\n`);
    throw error;
  }
  if (sweepDir) writeSweepFile(sweepDir, plans, submission.runs.map((r) => r.runDir));
  return submission;
}

function submitPlan(plan: Plan, options: SubmitOptions, active: Map<string, string>, submitted: string[], sweepDir?: string): SubmittedRun {
  const scheduled = scheduleRun(plan, options.runsDir, options.selection);
  const runDir = createRunFolder(options.runsDir, plan, sweepDir);
  writeLaunch(runDir, { runs_dir: options.runsDir, cwd: options.cwd, backend: options.backend, ...options.selection, plan });
  const manifest = createSlurmManifest(runDir, plan, options, scheduled);
  options.output.write(`run ${runDir}\n`);

  const jobs = new Map<string, string>();
  for (const s of scheduled.filter(needsJob)) {
    const { instance, entry } = s;
    const comment = jobComment(entry.name);
    const logFile = join(runDir, 'logs', `${safeName(instance.id)}.log`);
    let job = s.forced ? undefined : active.get(comment);
    const reused = job !== undefined;
    let log = logFile;
    if (job) {
      log = showJobs([job])?.get(job)?.stdout || logFile;
    } else {
      const dependencies = upstreamIds(instance).flatMap((id) => jobs.get(id) ?? []);
      const script = join(runDir, 'slurm', `${safeName(instance.id)}.sbatch`);
      mkdirSync(join(runDir, 'slurm'), { recursive: true });
      mkdirSync(join(runDir, 'logs'), { recursive: true });
      writeFileSync(script, jobScript({ instance, entryName: entry.name, runDir, cwd: options.cwd, logFile, dependencies: [...new Set(dependencies)], settings: plan.launcher }));
      job = sbatch(script);
      submitted.push(job);
      active.set(comment, job);
    }
    jobs.set(instance.id, job);
    updateManifest(manifest, (data) => {
      data.instances[instance.id].job = { id: job, node: null, pid: null, log };
    });
    options.output.write(`[${instance.id}] job ${job}${reused ? ' (queued or running already: not submitted again)' : ''}\n`);
  }
  const cached = scheduled.filter((s) => s.selected && !needsJob(s)).length;
  options.output.write(`${jobs.size} job(s) for ${runDir}${cached > 0 ? `, ${cached} instance(s) cached` : ''}; follow it with: dpo-run status ${runDir}\n`);
  return { runDir, jobs };
}

/** The manifest before any job is submitted: cached instances cached (and linked), those to run queued, the rest skipped. */
function createSlurmManifest(runDir: string, plan: Plan, options: SubmitOptions, scheduled: ScheduledInstance[]): string {
  const manifest = new Manifest(join(runDir, MANIFEST_FILE), {
    pipeline: plan.name,
    file: plan.file,
    run_id: runDir.split(/[\\/]/).pop()!,
    command: options.invocation?.command ?? null,
    overrides: { set: options.invocation?.set ?? [], sweep: options.invocation?.sweep ?? [] },
    versions: { ...versions(), backend: options.backend },
    launcher: 'slurm',
    backend: { name: options.backend, provider: 'chosen by each job on its node (see each instance)', passed_over: [], native: null },
    run_sweep: plan.runSweep,
    ...options.selection,
  });
  const time = now();
  for (const s of scheduled) {
    const cached = s.selected && !needsJob(s);
    manifest.add(s.instance.id, {
      stage: s.instance.stage,
      kind: s.instance.kind,
      fingerprint: s.entry.fingerprint,
      status: !s.selected ? 'skipped' : cached ? 'cached' : 'queued',
      cache_hit: cached,
      started: cached ? time : null,
      ended: cached ? time : null,
      backend: options.backend,
      output: s.entry.dir,
      error: null,
    });
    if (cached) linkOutput(runDir, s.instance.id, s.entry.dir);
  }
  manifest.write();
  updateManifest(manifest.file, () => {}); // the run's status from its instances' (done when all are cached)
  return manifest.file;
}
