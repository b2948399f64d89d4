/**
 * Generated tokens per second of batched sampling, with the KV cache (each new token runs
 * one position) and without it (each new token reruns the whole prefix), for each model
 * shape. No end-of-sequence: every row generates the full count.
 */
import { createModel, disposeModel, generate } from '../../src/model/index.ts';
import { Random } from '../../src/core/random.ts';
import { modelShapes } from '../modelShapes.ts';
import { describe } from './sftStep.ts';
import { median, round, timeRepeats, type BenchCase } from './types.ts';

const PROMPTS = 8;
const PROMPT_TOKENS = 8;
const REPEATS = 3;

export const generation: BenchCase = {
  name: 'generation',
  description: `generated tokens/s for ${PROMPTS} prompts of ${PROMPT_TOKENS} tokens, up to 56 new tokens (less when the context is shorter), median of ${REPEATS} after 1 warm-up`,
  async run() {
    const results: Record<string, unknown> = {};
    for (const shape of modelShapes()) {
      const { config } = shape;
      const newTokens = Math.min(56, config.contextLength - PROMPT_TOKENS);
      const model = createModel(config, { seed: 0 });
      const random = new Random(0);
      const prompts = Array.from({ length: PROMPTS }, () => Array.from({ length: PROMPT_TOKENS }, () => random.int(config.vocabSize)));
      const tokensPerSecond = async (useCache: boolean) => {
        const seconds = await timeRepeats(async () => {
          await generate(model, prompts, { temperature: 1, maxNewTokens: newTokens, random, useCache });
        }, REPEATS);
        return round((PROMPTS * newTokens) / median(seconds));
      };
      const cached = await tokensPerSecond(true);
      const uncached = await tokensPerSecond(false);
      disposeModel(model);
      results[shape.name] = {
        ...describe(shape),
        prompts: PROMPTS,
        new_tokens: newTokens,
        tokens_per_second_kv_cache: cached,
        tokens_per_second_no_cache: uncached,
        kv_cache_speedup: round(cached / uncached, 2),
      };
    }
    return results;
  },
};
