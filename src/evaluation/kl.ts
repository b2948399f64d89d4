/**
 * The sequence-level KL of a frontier point: for a completion y of prompt x sampled from
 * the policy, log pi(y|x) - log pi_ref(y|x), the completion tokens' log-probabilities
 * summed (prompt and padding masked out). Its mean over samples from pi estimates
 * KL(pi || pi_ref) for the prompt distribution.
 */
import * as tf from '@tensorflow/tfjs';
import { buildBatch } from '../model/batch.ts';
import type { GPT } from '../model/gpt.ts';
import { sequenceLogProbs } from '../model/logprobs.ts';

/** log pi(y|x) for each (prompt, completion), computed `batchSize` rows at a time. */
export async function completionLogProbs(
  model: GPT,
  promptIds: readonly number[][],
  completionIds: readonly number[][],
  options: { batchSize: number; pad: number },
): Promise<number[]> {
  const logps: number[] = [];
  for (let start = 0; start < promptIds.length; start += options.batchSize) {
    const prompts = promptIds.slice(start, start + options.batchSize) as number[][];
    const completions = completionIds.slice(start, start + options.batchSize) as number[][];
    const values = tf.tidy(() => {
      const batch = buildBatch(prompts, completions, options.pad); // (B, T)
      return sequenceLogProbs(model, batch).logps; // (B,)
    });
    logps.push(...((await values.data()) as Float32Array));
    values.dispose();
  }
  return logps;
}

/** log pi(y|x) - log pi_ref(y|x) per sample, from the two models' log-probabilities. */
export function sequenceKl(policyLogps: readonly number[], referenceLogps: readonly number[]): number[] {
  if (policyLogps.length !== referenceLogps.length) {
    throw new Error(`sequenceKl: ${policyLogps.length} policy log-probabilities but ${referenceLogps.length} reference ones`);
  }
  return policyLogps.map((logp, i) => logp - referenceLogps[i]);
}
