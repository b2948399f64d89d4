/**
 * Builds the StageContext the executor hands a stage's `run`: its settings, its inputs,
 * its work folder, a seeded random source, metrics and summary writers, progress, log,
 * and `tick()`, which lets an interruption stop the stage between steps.
 */
import { join } from 'node:path';
import { Random } from '../core/random.ts';
import { InterruptedError } from '../core/errors.ts';
import type { StageInstance } from '../pipeline/types.ts';
import type { StageContext, StageOutput } from '../core/stageContract.ts';
import { openMetricsWriter } from './metricsWriter.ts';
import { createProgress, type Output } from './progress.ts';
import { writeJsonAtomic } from '../core/io/writeAtomic.ts';

export interface ContextParts {
  instance: StageInstance;
  /** The work folder (`<entry>.partial/`). */
  outDir: string;
  /** The finished outputs of every instance run or found so far, by instance id. */
  outputs: ReadonlyMap<string, StageOutput>;
  backend: string;
  output: Output;
  signal: AbortSignal;
}

export function createStageContext({ instance, outDir, outputs, backend, output, signal }: ContextParts): StageContext {
  const inputs: Record<string, StageOutput[]> = {};
  for (const [path, ids] of Object.entries(instance.inputs)) {
    inputs[path] = ids.map((id) => {
      const upstream = outputs.get(id);
      if (!upstream) throw new Error(`instance ${instance.id} needs ${id}, which has no output`);
      return upstream;
    });
  }
  return {
    id: instance.id,
    settings: instance.settings,
    inputs,
    outDir,
    seed: instance.seed,
    random: new Random(instance.seed),
    metrics: (columns, file = 'metrics.csv') => openMetricsWriter(join(outDir, file), columns),
    summary: async (values) => writeJsonAtomic(join(outDir, 'summary.json'), values),
    progress: createProgress(instance.id, output),
    log: (message) => output.write(`[${instance.id}] ${message}\n`),
    tick: async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal.aborted) throw new InterruptedError();
    },
    backend,
  };
}
