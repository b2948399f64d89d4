/**
 * Where a scalar-head training stage starts: its last checkpoint in the output folder (an
 * interrupted run; the metrics rows after it are dropped, since those steps run again), or
 * a fresh model from `start`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TOKENIZER_FILE, type GPT } from '../model/index.ts';
import type { StageContext } from '../core/stageContract.ts';
import { loadTokenizer, type Tokenizer } from '../tokenizer/index.ts';
import { latestCheckpoint, resumeFrom } from './checkpoints.ts';
import type { Optimizer } from './optimizer.ts';
import { dropMetricsAfter } from './resumeFiles.ts';

export async function resumeOrStart(
  ctx: StageContext<unknown>,
  optimizer: Optimizer,
  start: () => Promise<{ model: GPT; tokenizer: Tokenizer }>,
): Promise<{ model: GPT; tokenizer: Tokenizer; step: number }> {
  const checkpoint = await latestCheckpoint(ctx.outDir);
  if (!checkpoint) return { ...(await start()), step: 0 };
  const { model, state } = await resumeFrom(checkpoint, optimizer);
  const tokenizer = loadTokenizer(JSON.parse(await readFile(join(checkpoint.dir, TOKENIZER_FILE), 'utf8')));
  await dropMetricsAfter(join(ctx.outDir, 'metrics.csv'), state.step);
  ctx.log(`resuming from step ${state.step}`);
  return { model, tokenizer, step: state.step };
}
