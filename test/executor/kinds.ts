/**
 * Stage kinds for the executor's tests only (never registered in src/): `test-write`
 * writes its text, and its inputs' texts, one step at a time with ctx.tick() between
 * steps, resuming from the steps already in its work folder; `test-fail` throws.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StageError } from '../../src/core/errors.ts';
import { Random } from '../../src/core/random.ts';
import type { Plan, StageInstance } from '../../src/pipeline/types.ts';
import { stageKinds } from '../../src/stages/index.ts';
import type { StageContext, StageKind } from '../../src/core/stageContract.ts';

/** The ids of the instances whose `run` was called, in order. */
export const calls: string[] = [];

interface WriteSettings {
  text: string;
  steps: number;
}

/** Milliseconds each step sleeps (the interruption tests slow the stage down). */
const stepDelay = () => Number(process.env.TEST_STEP_DELAY_MS ?? 0);

export const writeKind: StageKind<WriteSettings> = {
  kind: 'test-write',
  schema: {},
  references: [{ path: 'from', accepts: ['dataset'] }],
  produces: ['dataset'],
  async run(ctx: StageContext<WriteSettings>) {
    calls.push(ctx.id);
    // The checkpoint: the lines written so far and the random state after them, saved
    // together atomically, as a training stage saves its weights with its optimizer state.
    const checkpointFile = join(ctx.outDir, 'checkpoint.json');
    const checkpoint: { lines: string[]; random: number[] } = existsSync(checkpointFile)
      ? JSON.parse(readFileSync(checkpointFile, 'utf8'))
      : { lines: [], random: ctx.random.state() };
    if (checkpoint.lines.length > 0) ctx.log(`resuming from step ${checkpoint.lines.length}`);
    const random = Random.fromState(checkpoint.random);
    const metrics = ctx.metrics(['step', 'loss']);
    ctx.progress.start(ctx.settings.steps, 'writing');
    for (let step = checkpoint.lines.length; step < ctx.settings.steps; step++) {
      checkpoint.lines.push(`${ctx.settings.text} ${step} ${random.int(1000)}\n`);
      checkpoint.random = random.state();
      writeFileSync(`${checkpointFile}.tmp`, JSON.stringify(checkpoint));
      renameSync(`${checkpointFile}.tmp`, checkpointFile);
      metrics.log({ step, loss: 1 / (step + 1) });
      ctx.progress.update(step + 1, { loss: 1 / (step + 1) });
      ctx.log(`step ${step + 1}`);
      await new Promise((resolve) => setTimeout(resolve, stepDelay()));
      await ctx.tick();
    }
    await metrics.close();
    const upstream = (ctx.inputs.from ?? []).map((input) => readFileSync(join(input.dir, 'result.txt'), 'utf8'));
    writeFileSync(join(ctx.outDir, 'result.txt'), [...upstream, checkpoint.lines.join('')].join('---\n'));
    await ctx.summary({ steps: ctx.settings.steps, seed: ctx.seed });
  },
};

export const failKind: StageKind<{ message: string }> = {
  kind: 'test-fail',
  schema: {},
  references: [{ path: 'from', accepts: ['dataset'] }],
  produces: ['dataset'],
  async run(ctx) {
    calls.push(ctx.id);
    writeFileSync(join(ctx.outDir, 'half.txt'), 'half');
    throw new StageError(ctx.settings.message);
  },
};

export function registerTestKinds(): void {
  stageKinds[writeKind.kind] = writeKind;
  stageKinds[failKind.kind] = failKind;
}

export function unregisterTestKinds(): void {
  delete stageKinds[writeKind.kind];
  delete stageKinds[failKind.kind];
}

/** One instance: `from` lists the upstream ids. */
export function instance(
  id: string,
  settings: Record<string, unknown>,
  { from = [], kind = 'test-write', sweep = {}, seed = 0 }: { from?: string[]; kind?: string; sweep?: Record<string, unknown>; seed?: number } = {},
): StageInstance {
  return { id, stage: id.replace(/\[.*$/, ''), kind, settings, sweep, inputs: from.length > 0 ? { from } : {}, seed };
}

export function plan(instances: StageInstance[], runSweep: Record<string, unknown> = {}): Plan {
  return { name: 'test', file: 'test.yaml', resolved: { name: 'test', stages: Object.fromEntries(instances.map((i) => [i.id, i.settings])) }, instances, runSweep, backend: 'cpu', launcher: { gpus: {}, sbatch_args: [], setup: [] } };
}

/** a -> b -> c, each writing a few steps. */
export function chain(bText = 'b'): Plan {
  return plan([
    instance('a', { text: 'a', steps: 2 }),
    instance('b', { text: bText, steps: 2 }, { from: ['a'] }),
    instance('c', { text: 'c', steps: 2 }, { from: ['b'] }),
  ]);
}

export const testBackend = { name: 'cpu', provider: 'test', passedOver: [] };
