/**
 * What the sft stage measures at each evaluation: the held-out loss and perplexity, and
 * sampled completions of a few held-out prompts.
 */
import { generate, type GPT } from '../../model/index.ts';
import type { Random } from '../../random.ts';
import type { Tokenizer } from '../../tokenizer/index.ts';
import type { SftSettings } from '../settings/sft.ts';
import { disposeBatch, exampleBatch, type Example } from './examples.ts';
import { summedNegativeLogLikelihood } from './languageModelLoss.ts';

export interface HeldOut {
  /** The mean next-token cross-entropy per target token, in nats. */
  loss: number;
  /** exp(loss). */
  perplexity: number;
}

export type Sampling = SftSettings['samples']['sampling'];

/** The loss over every target token of `examples` (weighted by tokens, not by example), in batches. */
export function heldOutLoss(model: GPT, examples: readonly Example[], batchSize: number, pad: number): HeldOut {
  let nll = 0;
  let targets = 0;
  for (let i = 0; i < examples.length; i += batchSize) {
    const batch = exampleBatch(examples.slice(i, i + batchSize), pad);
    const summed = summedNegativeLogLikelihood(model, batch);
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
  sampling: Sampling,
  random: Random,
): Promise<string[]> {
  const encoded = prompts.map((p) => [tokenizer.bos, ...tokenizer.encode(p)]);
  const fits = encoded.map((ids) => ids.length < model.config.contextLength);
  const completions: string[] = prompts.map(() => '');
  const indices = encoded.map((_, i) => i).filter((i) => fits[i]);
  for (let i = 0; i < indices.length; i += sampling.batch_size) {
    const chunk = indices.slice(i, i + sampling.batch_size);
    const generated = await generate(
      model,
      chunk.map((j) => encoded[j]),
      { temperature: sampling.temperature, topK: sampling.top_k, topP: sampling.top_p, maxNewTokens: sampling.max_new_tokens, eos: tokenizer.eos, random },
    );
    chunk.forEach((j, k) => (completions[j] = tokenizer.decode(generated[k])));
  }
  return completions;
}
