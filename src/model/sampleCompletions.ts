/**
 * Completions sampled from a model, as every stage that samples draws them (sft's
 * samples, preference pairs, PPO's rollouts, best-of-N's pools, the evaluation): the
 * prompts' token ids, each repeated `samplesPerPrompt` times, generated
 * `sampling.batch_size` rows at a time, every token drawn from one Random in order, so
 * that the same state gives the same completions.
 */
import { UserError } from '../core/errors.ts';
import type { Random } from '../core/random.ts';
import type { Tokenizer } from '../tokenizer/types.ts';
import { completionTokens } from './completionTokens.ts';
import { generate } from './generate.ts';
import type { GPT } from './gpt.ts';

/** The resolved `sampling:` block (schemas/common.schema.json#/definitions/sampling). */
export interface SamplingSettings {
  temperature: number;
  top_k: number;
  top_p: number;
  max_new_tokens: number;
  /** Rows (prompt samples) generated together. */
  batch_size: number;
}

/** One sampled row, in token ids. */
export interface SampledIds {
  /** The prompt's token ids, as given (bos first). */
  prompt: number[];
  /**
   * The tokens the policy chose, the ones log pi(y|x) sums over: the completion's tokens,
   * then eos when it sampled eos (completionTokens in ./completionTokens.ts). Score these.
   */
  response: number[];
  /** The completion's text tokens, without eos (what is decoded). */
  completionIds: number[];
  /** True when the policy sampled eos; false when the completion was cut at max_new_tokens (or the context). */
  endedWithEos: boolean;
}

export interface Completion extends SampledIds {
  /** The completion decoded. */
  text: string;
}

export interface SampleCompletionsOptions {
  /** Rows per prompt: row i * samplesPerPrompt + j is the j-th sample of prompt i (default 1). */
  samplesPerPrompt?: number;
  /** Called after each batch with the number of rows done (a stage's tick, so that an interruption is seen). */
  onBatch?: (rowsDone: number) => Promise<void>;
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

/** The completions of `prompts` (token ids, bos first), decoded: see the module comment. */
export async function sampleCompletions(
  model: GPT,
  tokenizer: Tokenizer,
  prompts: readonly number[][],
  sampling: SamplingSettings,
  random: Random,
  options: SampleCompletionsOptions = {},
): Promise<Completion[]> {
  const rows = await sampleCompletionIds(model, prompts, sampling, random, { ...options, eos: tokenizer.eos });
  return rows.map((row) => ({ ...row, text: tokenizer.decode(row.completionIds) }));
}

/** As sampleCompletions, without decoding: for callers that hold only the eos id. */
export async function sampleCompletionIds(
  model: GPT,
  prompts: readonly number[][],
  sampling: SamplingSettings,
  random: Random,
  options: SampleCompletionsOptions & { eos: number },
): Promise<SampledIds[]> {
  const perPrompt = options.samplesPerPrompt ?? 1;
  if (!Number.isInteger(perPrompt) || perPrompt < 1) throw new RangeError(`sampleCompletionIds: samplesPerPrompt ${perPrompt} is not a positive integer`);
  if (!Number.isInteger(sampling.batch_size) || sampling.batch_size < 1) throw new RangeError(`sampleCompletionIds: batch_size ${sampling.batch_size} is not a positive integer`);
  const rows = prompts.flatMap((ids) => Array.from({ length: perPrompt }, () => ids));
  const sampled: SampledIds[] = [];
  for (let start = 0; start < rows.length; start += sampling.batch_size) {
    const batch = rows.slice(start, start + sampling.batch_size);
    const generated = await generate(model, batch, {
      temperature: sampling.temperature,
      topK: sampling.top_k,
      topP: sampling.top_p,
      maxNewTokens: sampling.max_new_tokens,
      eos: options.eos,
      random,
    });
    // generate stops a row early only when it samples eos: the steps it could take were the same for all rows
    const steps = Math.min(sampling.max_new_tokens, model.config.contextLength - Math.max(...batch.map((p) => p.length)));
    generated.forEach((ids, i) => {
      const endedWithEos = ids.length < steps;
      sampled.push({ prompt: batch[i], response: completionTokens(ids, endedWithEos, options.eos), completionIds: ids, endedWithEos });
    });
    await options.onBatch?.(start + batch.length);
  }
  return sampled;
}
