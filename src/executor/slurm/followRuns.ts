/**
 * `--wait`: follows the runs it submitted until each has ended, printing a line when an
 * instance changes state (queued, running on a node, done, failed with the last lines of
 * its log, cancelled) and its last logged step now and then. Stopping the command (Ctrl-C)
 * stops only the following: the jobs go on.
 */
import { basename, dirname } from 'node:path';
import type { RunStatus } from '../../core/manifestRecord.ts';
import type { Output } from '../progress.ts';
import { summarize } from '../runMessages.ts';
import { describeInstance, lastLoggedStep, logTail } from './describeState.ts';
import { jobIdsOf, readRunState, type RunState } from './runState.ts';
import { isActive, showJobs } from './slurmCommands.ts';

export interface FollowOptions {
  output: Output;
  signal: AbortSignal;
  pollMs?: number;
}

const POLL_MS = 2000;
/** Polls in a row that must agree that every run has ended before the following ends (one answer may come mid-transition). */
const SETTLE_POLLS = 2;
/** Polls in a row without an answer from Slurm's controller after which the following gives up. */
const UNREACHABLE_POLLS = 30;
/** A running instance's step is printed at most this often. */
const STEP_EVERY_MS = 10_000;

/** Each run's final status, or `interrupted` for all when the following was stopped. */
export async function followRuns(runDirs: readonly string[], options: FollowOptions): Promise<RunStatus[]> {
  const { output, signal } = options;
  const said = new Map<string, { status: string; step?: string; at: number }>();
  const several = runDirs.length > 1;
  let endedPolls = 0;
  let unansweredPolls = 0;
  for (;;) {
    const jobs = showJobs(runDirs.flatMap(jobIdsOf));
    const states = runDirs.map((runDir) => readRunState(runDir, jobs));
    for (const run of states) report(run, said, output, several ? `${basename(run.runDir)} ` : '');
    // A job may still be active though its instance is recorded interrupted: requeued (pre-empted), it runs again.
    // Without Slurm's answer nothing can be concluded (the controller is busy, or down).
    const jobsActive = states.some((run) => run.instances.some((s) => s.job && isActive(s.job.state)));
    const ended = jobs !== undefined && !jobsActive && states.every((run) => run.manifest.status !== 'running');
    endedPolls = ended ? endedPolls + 1 : 0;
    unansweredPolls = jobs === undefined ? unansweredPolls + 1 : 0;
    if (endedPolls >= SETTLE_POLLS) {
      for (const run of states) output.write(`${run.manifest.status}: ${summarize(run.manifest)}; manifest ${run.runDir}/manifest.json\n`);
      return states.map((run) => run.manifest.status);
    }
    if (unansweredPolls >= UNREACHABLE_POLLS) {
      output.write(`stopped following: Slurm's controller has not answered for ${UNREACHABLE_POLLS} polls; the jobs may go on (dpo-run status ${several ? dirname(runDirs[0]) : runDirs[0]})\n`);
      return runDirs.map(() => 'interrupted');
    }
    await sleep(options.pollMs ?? POLL_MS, signal);
    if (signal.aborted) {
      output.write(`stopped following; the jobs go on (dpo-run status ${several ? dirname(runDirs[0]) : runDirs[0]})\n`);
      return runDirs.map(() => 'interrupted');
    }
  }
}

function report(run: RunState, said: Map<string, { status: string; step?: string; at: number }>, output: Output, prefix: string): void {
  for (const state of run.instances) {
    if (state.record.status === 'skipped') continue;
    const ended = state.record.status === 'failed' || state.record.status === 'interrupted' || state.record.status === 'cancelled';
    if (ended && state.job && isActive(state.job.state)) continue; // said once its job has ended, with its exit code
    const key = `${run.runDir}\u0000${state.id}`;
    const before = said.get(key);
    const step = state.record.status === 'running' ? lastLoggedStep(state) : undefined;
    if (before?.status === state.record.status) {
      if (step && step !== before.step && Date.now() - before.at >= STEP_EVERY_MS) {
        output.write(`${prefix}[${state.id}] ${step}\n`);
        said.set(key, { ...before, step, at: Date.now() });
      }
      continue;
    }
    output.write(`${prefix}[${state.id}] ${describeInstance(state, run.instances)}\n`);
    if (state.record.status === 'failed') for (const line of logTail(state)) output.write(`    | ${line}\n`);
    said.set(key, { status: state.record.status, step, at: Date.now() });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
