/**
 * Where a training stage starts in its output folder, which an interrupted attempt may
 * have left with checkpoints and rows:
 *
 *   - the newest checkpoint that loads is resumed from: its model, tokenizer, trainer
 *     state and optimizer state (and what the stage keeps beside it, PPO's value
 *     function). A checkpoint that does not load (a truncated file) is removed, saying
 *     why, and the next older one is tried; when none loads the stage starts over.
 *   - the rows logged after that checkpoint, or every row when the stage starts over,
 *     are dropped from metrics.csv and the stage's JSON-lines logs, since those steps
 *     run again.
 *
 * Undefined means start from step 0; the stage then builds its starting model itself.
 */
import { readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { TOKENIZER_FILE, type GPT } from '../model/index.ts';
import type { StageContext } from '../core/stageContract.ts';
import { loadTokenizer, type Tokenizer } from '../tokenizer/index.ts';
import { listCheckpoints, resumeFrom, type Checkpoint, type TrainerState } from './checkpoints.ts';
import type { Optimizer } from './optimizer.ts';
import { dropJsonlAfter, dropMetricsAfter } from './resumeFiles.ts';

export interface Resumed<B> {
  checkpoint: Checkpoint;
  /** The checkpoint's model (trainable); the optimizer has its state. */
  model: GPT;
  tokenizer: Tokenizer;
  state: TrainerState;
  /** What `readBeside` read. */
  beside: B;
}

export interface ResumeOptions<B> {
  optimizer: Optimizer;
  /** metrics.csv's step column: `step`, or PPO's `iteration`. */
  stepColumn: string;
  /** The JSON-lines logs in the output folder whose records carry a `step` (sft's samples.jsonl). */
  logs?: readonly string[];
  /** Reads what the stage keeps beside a checkpoint, changing nothing; throws when it does not load. */
  readBeside?: (checkpoint: Checkpoint) => Promise<B>;
}

export async function resume<B = undefined>(ctx: StageContext<unknown>, options: ResumeOptions<B>): Promise<Resumed<B> | undefined> {
  const checkpoints = await listCheckpoints(ctx.outDir);
  const resumed = await newestThatLoads(ctx, checkpoints, options);
  if (!resumed && checkpoints.length > 0) ctx.log(`no checkpoint loads: starting the stage over`);
  const step = resumed?.state.step;
  const dropped = await dropRowsAfter(ctx.outDir, step, options);
  if (resumed) ctx.log(`resuming from ${options.stepColumn} ${step} (${where(ctx, resumed.checkpoint)})`);
  else if (dropped > 0) ctx.log(`no checkpoint to resume from: dropped the ${dropped} rows an earlier attempt logged`);
  return resumed;
}

/** Tries the checkpoints from the newest down; removes each one that does not load. */
async function newestThatLoads<B>(ctx: StageContext<unknown>, checkpoints: Checkpoint[], options: ResumeOptions<B>): Promise<Resumed<B> | undefined> {
  for (let i = checkpoints.length - 1; i >= 0; i--) {
    const checkpoint = checkpoints[i];
    try {
      return await load(checkpoint, options);
    } catch (error) {
      const next = i > 0 ? `falling back to ${where(ctx, checkpoints[i - 1])}` : 'no older checkpoint';
      ctx.log(`checkpoint ${where(ctx, checkpoint)} does not load (${(error as Error).message}); removed it, ${next}`);
      await rm(checkpoint.dir, { recursive: true, force: true });
    }
  }
  return undefined;
}

/** Reads the tokenizer and what lies beside first, and the model and optimizer last, so that a failure changes nothing. */
async function load<B>(checkpoint: Checkpoint, options: ResumeOptions<B>): Promise<Resumed<B>> {
  const tokenizer = loadTokenizer(JSON.parse(await readFile(join(checkpoint.dir, TOKENIZER_FILE), 'utf8')));
  const beside = (options.readBeside ? await options.readBeside(checkpoint) : undefined) as B;
  const { model, state } = await resumeFrom(checkpoint, options.optimizer);
  return { checkpoint, model, tokenizer, state, beside };
}

async function dropRowsAfter(outDir: string, step: number | undefined, options: ResumeOptions<unknown>): Promise<number> {
  let dropped = await dropMetricsAfter(join(outDir, 'metrics.csv'), step, options.stepColumn);
  for (const log of options.logs ?? []) dropped += await dropJsonlAfter(join(outDir, log), step);
  return dropped;
}

function where(ctx: StageContext<unknown>, checkpoint: Checkpoint): string {
  return relative(ctx.outDir, checkpoint.dir);
}
