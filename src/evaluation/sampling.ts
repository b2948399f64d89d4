/**
 * Sampling a policy's completions of the held-out prompts for one temperature: each
 * prompt `samplesPerPrompt` times, in batches, rows ordered prompt by prompt.
 */
import type { GPT } from '../model/gpt.ts';
import { generate } from '../model/generate.ts';
import type { Random } from '../random.ts';

export interface SampleOptions {
  samplesPerPrompt: number;
  temperature: number;
  topK: number;
  topP: number;
  maxNewTokens: number;
  /** Rows (prompt samples) generated together. */
  batchSize: number;
  eos: number;
  random: Random;
  /** Called between batches (the stage's tick, so that an interruption is seen). */
  tick?: () => Promise<void>;
}

/**
 * The completions' token ids (no prompt, no eos): row i * samplesPerPrompt + j is the
 * j-th sample of prompt i. `promptIds` start with the bos token.
 */
export async function sampleCompletions(model: GPT, promptIds: readonly number[][], options: SampleOptions): Promise<number[][]> {
  const rows = promptIds.flatMap((ids) => Array.from({ length: options.samplesPerPrompt }, () => ids));
  const completions: number[][] = [];
  for (let start = 0; start < rows.length; start += options.batchSize) {
    const batch = rows.slice(start, start + options.batchSize);
    completions.push(
      ...(await generate(model, batch, {
        temperature: options.temperature,
        topK: options.topK,
        topP: options.topP,
        maxNewTokens: options.maxNewTokens,
        eos: options.eos,
        random: options.random,
      })),
    );
    await options.tick?.();
  }
  return completions;
}
