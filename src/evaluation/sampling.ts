/**
 * Sampling a policy's completions of the held-out prompts for one temperature: each
 * prompt `samplesPerPrompt` times, in batches, rows ordered prompt by prompt.
 */
import type { GPT } from '../model/gpt.ts';
import { sampleCompletionIds } from '../model/sampleCompletions.ts';
import type { Random } from '../core/random.ts';

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
 * The completions' tokens as log pi(y|x) sums over them (no prompt; eos when it was
 * sampled, src/model/completionTokens.ts): row i * samplesPerPrompt + j is the j-th
 * sample of prompt i. `promptIds` start with the bos token.
 */
export async function sampleCompletions(model: GPT, promptIds: readonly number[][], options: SampleOptions): Promise<number[][]> {
  const sampling = { temperature: options.temperature, top_k: options.topK, top_p: options.topP, max_new_tokens: options.maxNewTokens, batch_size: options.batchSize };
  const rows = await sampleCompletionIds(model, promptIds, sampling, options.random, { eos: options.eos, samplesPerPrompt: options.samplesPerPrompt, onBatch: options.tick });
  return rows.map((row) => row.response);
}
