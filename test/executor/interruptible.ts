/**
 * A child process for the interruption tests: runs `first -> slow -> after` with the
 * test kinds under the runs folder given as its argument, handling SIGINT as the CLI does.
 *   node --import tsx test/executor/interruptible.ts RUNS_DIR
 */
import { executePlan, exitCodeOf, interruptOnSignals, processOutput } from '../../src/executor/index.ts';
import { instance, plan, registerTestKinds, testBackend } from './kinds.ts';

export const interruptiblePlan = () =>
  plan([
    instance('first', { text: 'first', steps: 2 }),
    instance('slow', { text: 'slow', steps: 30 }, { from: ['first'] }),
    instance('after', { text: 'after', steps: 1 }, { from: ['slow'] }),
  ]);

if (process.argv[1]?.endsWith('interruptible.ts')) {
  registerTestKinds();
  const output = processOutput();
  const interruption = interruptOnSignals(output);
  const result = await executePlan(interruptiblePlan(), { runsDir: process.argv[2], backend: testBackend, output, interruption });
  interruption.dispose();
  process.exitCode = exitCodeOf[result.status];
}
