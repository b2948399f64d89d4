/**
 * `dpo-run run-instance RUN_FOLDER INSTANCE`: what each Slurm job of `--launcher slurm`
 * runs. Exit 0 done (or found in the cache), 1 failed, 130 interrupted (SIGTERM: the job
 * was cancelled, pre-empted or reached its time limit; run again, it resumes).
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { describeBackend, initBackend, type BackendRequest } from '../backend/index.ts';
import { EXIT } from '../core/errors.ts';
import { interruptOnSignals, processOutput, type Output } from '../executor/index.ts';
import { executeInstance, readLaunch } from '../executor/slurm/index.ts';

export async function runInstanceCommand(folder: string, instanceId: string, output: Output = processOutput()): Promise<number> {
  const runDir = resolve(folder);
  const launch = readLaunch(runDir);
  if (existsSync(launch.cwd) && resolve(launch.cwd) !== process.cwd()) process.chdir(launch.cwd); // relative paths of the pipeline
  output.write(`[${instanceId}] job ${process.env.SLURM_JOB_ID ?? '(none)'} on ${hostname()}, pid ${process.pid}, run ${runDir}\n`);
  const backend = await initBackend(launch.backend as BackendRequest);
  output.write(describeBackend(backend) + '\n');
  const interruption = interruptOnSignals(output);
  try {
    const step = await executeInstance(runDir, launch, instanceId, { backend, output, interruption });
    return step === 'done' ? EXIT.ok : step === 'interrupted' ? EXIT.interrupted : EXIT.stageFailed;
  } finally {
    interruption.dispose();
  }
}
