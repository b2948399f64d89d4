/**
 * What the sft stage measures at each evaluation: the held-out loss and perplexity, and
 * sampled completions of a few held-out prompts.
 */
import * as tf from '@tensorflow/tfjs';
import { negativeLogLikelihood } from '../losses/languageModel.ts';
import { tokenLogProbs, type GPT } from '../model/index.ts';
import { sampleCompletions as sampleCompletionsOfIds, type SamplingSettings } from '../model/sampleCompletions.ts';
import type { Random } from '../core/random.ts';
import type { Tokenizer } from '../tokenizer/index.ts';
import { disposeBatch, exampleBatch, type Example } from './examples.ts';

export interface HeldOut {
  /** The mean next-token cross-entropy per target token, in nats. */
  loss: number;
  /** exp(loss). */
  perplexity: number;
}

/** The loss over every target token of `examples` (weighted by tokens, not by example), in batches. */
export function heldOutLoss(model: GPT, examples: readonly Example[], batchSize: number, pad: number): HeldOut {
  let nll = 0;
  let targets = 0;
  for (let i = 0; i < examples.length; i += batchSize) {
    const batch = exampleBatch(examples.slice(i, i + batchSize), pad);
    const summed = tf.tidy(() => negativeLogLikelihood(tokenLogProbs(model, { ids: batch.ids }), batch.lossMask));
    nll += summed.dataSync()[0];
    targets += batch.targets;
    summed.dispose();
    disposeBatch(batch);
  }
  const loss = nll / Math.max(1, targets);
  return { loss, perplexity: Math.exp(loss) };
}

/**
 * A completion of each prompt (<bos> prompt, then sampled tokens until <eos> or the
 * limit), decoded. Prompts that fill the context get an empty completion.
 */
export async function sampleCompletions(
  model: GPT,
  tokenizer: Tokenizer,
  prompts: readonly string[],
  sampling: SamplingSettings,
  random: Random,
): Promise<string[]> {
  const encoded = prompts.map((p) => [tokenizer.bos, ...tokenizer.encode(p)]);
  const fitting = encoded.map((_, i) => i).filter((i) => encoded[i].length < model.config.contextLength);
  const sampled = await sampleCompletionsOfIds(model, tokenizer, fitting.map((i) => encoded[i]), sampling, random);
  const completions: string[] = prompts.map(() => '');
  fitting.forEach((i, k) => (completions[i] = sampled[k].text));
  return completions;
}
