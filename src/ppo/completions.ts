/**
 * Sampling completions of text prompts from a policy, as PPO's rollouts and best-of-N's
 * pools draw them: each prompt is [bos, ...encode(prompt)] (as in the pairs artifact),
 * cut to leave room for the completion, and generated in batches from one Random.
 */
import { generate, type GPT } from '../model/index.ts';
import type { Random } from '../random.ts';
import type { Tokenizer } from '../tokenizer/index.ts';
import { UserError } from '../errors.ts';

/** The resolved `sampling:` block (schemas/common.schema.json#/definitions/sampling). */
export interface SamplingSettings {
  temperature: number;
  top_k: number;
  top_p: number;
  max_new_tokens: number;
  batch_size: number;
}

export interface Completion {
  /** The prompt's token ids: bos, then the prompt's tokens (possibly cut). */
  prompt: number[];
  /** The tokens the policy chose: the completion's tokens, then eos when it sampled eos. */
  response: number[];
  /** The completion's tokens, without eos. */
  completionIds: number[];
  /** The completion decoded. */
  text: string;
}

/**
 * [bos, ...encode(prompt)], keeping bos and the last tokens when it is longer than
 * `contextLength - maxNewTokens` (so that a full completion fits the context).
 */
export function encodePrompt(tokenizer: Tokenizer, prompt: string, contextLength: number, maxNewTokens: number): number[] {
  const room = contextLength - maxNewTokens;
  if (room < 2) {
    throw new UserError(
      `sampling.max_new_tokens is ${maxNewTokens} but the model's context is ${contextLength}: no room is left for a prompt`,
      `set sampling.max_new_tokens below ${contextLength - 1}`,
    );
  }
  const ids = tokenizer.encode(prompt);
  return [tokenizer.bos, ...ids.slice(Math.max(0, ids.length - (room - 1)))];
}

/**
 * One completion of each prompt (already encoded), `sampling.batch_size` prompts at a
 * time, drawing every token from `random`: the same state gives the same completions.
 */
export async function sampleCompletions(
  model: GPT,
  tokenizer: Tokenizer,
  prompts: number[][],
  sampling: SamplingSettings,
  random: Random,
): Promise<Completion[]> {
  const completions: Completion[] = [];
  for (let start = 0; start < prompts.length; start += sampling.batch_size) {
    const batch = prompts.slice(start, start + sampling.batch_size);
    const generated = await generate(model, batch, {
      temperature: sampling.temperature,
      topK: sampling.top_k,
      topP: sampling.top_p,
      maxNewTokens: sampling.max_new_tokens,
      eos: tokenizer.eos,
      random,
    });
    // generate stops a row early only when it samples eos: the steps it could take were the same for all rows
    const steps = Math.min(sampling.max_new_tokens, model.config.contextLength - Math.max(...batch.map((p) => p.length)));
    generated.forEach((ids, i) => {
      const endedWithEos = ids.length < steps;
      completions.push({ prompt: batch[i], response: endedWithEos ? [...ids, tokenizer.eos] : ids, completionIds: ids, text: tokenizer.decode(ids) });
    });
  }
  return completions;
}
