/**
 * `--isolate`: each stage instance the local run has to compute runs in a child process,
 * `dpo-run run-instance RUN_FOLDER INSTANCE_ID` (the entry point of a Slurm job, reading
 * the run's plan.json), so that a native crash or the OOM killer ends that instance only.
 * The parent schedules as without it (dependency order, cached instances skipped, one at a
 * time), relays the child's output lines as they come, forwards Ctrl-C/SIGTERM to it (the
 * child stops after its step and keeps its checkpoints), and reads what became of the
 * instance from the manifest the child wrote.
 *
 * The child runs in its own process group, so that a Ctrl-C at the terminal reaches it once,
 * through the parent; a second Ctrl-C (stop now) kills it, which loses nothing a resume needs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../core/errors.ts';
import { now } from './manifest.ts';
import { publish, useCached, type Run, type Step } from './executePlan.ts';
import { upstreamIds, type ScheduledInstance } from './schedule.ts';
import { readManifest } from './slurm/sharedManifest.ts';

/** bin/dpo-run.js, from src/executor/ as from dist/executor/. */
const BIN = fileURLToPath(new URL('../../bin/dpo-run.js', import.meta.url));

interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  pid: number | undefined;
}

/** One instance, as stepInstance does it, but computed by a child process. */
export async function stepIsolated(run: Run, s: ScheduledInstance): Promise<Step> {
  const { instance } = s;
  const id = instance.id;
  const blocker = upstreamIds(instance).find((up) => run.notDone.has(up));
  if (blocker) {
    run.notDone.add(id);
    run.manifest.update(id, { status: 'skipped', error: `not run: ${blocker} did not finish` });
    return 'skipped';
  }
  if (!s.forced && useCached(run, s)) return 'done';
  // the child reads and updates manifest.json; until it exits, only it writes there
  run.manifest.update(id, { status: 'running', started: now() });
  const exit = await runChild(run, id);

  const record = { ...readManifest(run.manifest.file).instances[id] };
  delete record.job;
  Object.assign(run.manifest.data.instances[id], record);
  if (exit.code === EXIT.ok && (record.status === 'done' || record.status === 'cached')) {
    run.manifest.update(id, {});
    publish(run, s);
    return 'done';
  }
  if (run.interruption.signal.aborted || exit.code === EXIT.interrupted || record.status === 'interrupted') {
    const why = 'interrupted; its partial output and checkpoints are kept, and it resumes from them when run again';
    run.manifest.update(id, { status: 'interrupted', ended: record.ended ?? now(), error: why });
    return 'interrupted';
  }
  run.notDone.add(id);
  if (exit.code === EXIT.stageFailed && record.status === 'failed' && record.ended) {
    run.manifest.update(id, {}); // the child said why
    return 'failed';
  }
  const how = exit.signal
    ? `was killed by ${exit.signal}${exit.signal === 'SIGKILL' ? ' (the OOM killer sends SIGKILL when memory runs out)' : ''}`
    : `exited with code ${exit.code} without recording an end`;
  const error = `its process (pid ${exit.pid ?? '?'}) ${how}; its partial output and checkpoints are kept`;
  run.manifest.update(id, { status: 'failed', ended: now(), error });
  run.output.write(`[${id}] failed: ${error}\n`);
  return 'failed';
}

/** Runs `dpo-run run-instance` for one instance, relaying its output lines and forwarding interruption. */
function runChild(run: Run, id: string): Promise<ChildExit> {
  const child = spawn(process.execPath, [...process.execArgv, BIN, 'run-instance', run.runDir, id], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  run.output.write(`[${id}] running in a child process, pid ${child.pid}\n`);
  const relayed = [relay(child.stdout!, run), relay(child.stderr!, run)];
  const { signal } = run.interruption;
  const forward = () => kill(child, 'SIGINT');
  signal.addEventListener('abort', forward);
  const forgetLastWords = run.interruption.atForcedExit(() => kill(child, 'SIGKILL'));
  if (signal.aborted) forward();
  return new Promise<ChildExit>((resolve) => {
    let spawnError: Error | undefined;
    child.on('error', (error) => (spawnError = error));
    child.on('close', async (code, exitSignal) => {
      await Promise.all(relayed);
      signal.removeEventListener('abort', forward);
      forgetLastWords();
      if (spawnError) run.output.write(`[${id}] could not start ${BIN}: ${spawnError.message}\n`);
      resolve({ code, signal: exitSignal, pid: child.pid });
    });
  });
}

function relay(stream: NodeJS.ReadableStream, run: Run): Promise<void> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', (line) => run.output.write(line + '\n'));
  return new Promise((resolve) => lines.on('close', resolve));
}

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    child.kill(signal);
  } catch {
    // gone meanwhile
  }
}
