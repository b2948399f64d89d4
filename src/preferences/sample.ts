/**
 * Preference pairs sampled from a policy and labelled by a ground-truth reward, as in the
 * DPO paper's IMDb experiment: for each prompt, K completions from the policy, each scored
 * by the reward, and pairs formed from them (all K(K-1)/2 of them, or best versus worst),
 * ties (a score difference of at most `minMargin`) dropped. A pair's completion ids are
 * the tokens the policy chose, eos included when it stopped and none when it was cut at
 * max_new_tokens (the sample's `response`, src/model/completionTokens.ts), so that every
 * loss trained on the pairs counts the decision to stop.
 */
import type { PromptRecord } from '../data/artifacts.ts';
import type { GPT } from '../model/index.ts';
import { sampleCompletions } from '../model/sampleCompletions.ts';
import type { Random } from '../core/random.ts';
import type { Reward } from '../rewards/index.ts';
import type { Tokenizer } from '../tokenizer/index.ts';
import { keepPromptEnd, type PairRecord } from '../data/pairs.ts';

export const PAIRING_MODES = ['all', 'best_vs_worst'] as const;
export type PairingMode = (typeof PAIRING_MODES)[number];

/** One sampled completion of a prompt, with its reward. */
export interface Candidate {
  /** The completion's tokens as log pi(y|x) sums over them: its text tokens, then eos when it was sampled. */
  ids: number[];
  text: string;
  score: number;
}

/**
 * The pairs (chosen index, rejected index) formed from candidates' scores: `all` takes
 * every i < j whose scores differ by more than `minMargin`, the higher one chosen;
 * `best_vs_worst` takes the highest against the lowest (the first of equal ones), if they
 * differ by more than `minMargin`.
 */
export function formPairs(scores: readonly number[], mode: PairingMode, minMargin: number): [number, number][] {
  const pairs: [number, number][] = [];
  if (mode === 'best_vs_worst') {
    if (scores.length < 2) return pairs;
    let best = 0;
    let worst = 0;
    scores.forEach((s, i) => {
      if (s > scores[best]) best = i;
      if (s < scores[worst]) worst = i;
    });
    if (scores[best] - scores[worst] > minMargin) pairs.push([best, worst]);
    return pairs;
  }
  for (let i = 0; i < scores.length; i++) {
    for (let j = i + 1; j < scores.length; j++) {
      if (Math.abs(scores[i] - scores[j]) <= minMargin) continue;
      pairs.push(scores[i] > scores[j] ? [i, j] : [j, i]);
    }
  }
  return pairs;
}

export interface SamplePairsOptions {
  k: number;
  pairing: PairingMode;
  minMargin: number;
  temperature: number;
  topK: number;
  topP: number;
  maxNewTokens: number;
  /** Sequences generated together (each prompt counts k times). */
  batchSize: number;
  random: Random;
  /** Called after each generation batch with the number of prompts done. */
  onBatch?: (promptsDone: number) => Promise<void>;
}

export interface SampledPairs {
  pairs: PairRecord[];
  /** Prompts whose completions gave no pair (all tied, or fewer than two non-empty). */
  promptsWithoutPair: number;
  /** Completions sampled, and how many of them were empty (and so left out). */
  completions: number;
  emptyCompletions: number;
}

/** Samples K completions of each prompt, scores them, and forms the pairs, in the prompts' order. */
export async function samplePairs(
  policy: GPT,
  tokenizer: Tokenizer,
  reward: Reward,
  prompts: readonly PromptRecord[],
  options: SamplePairsOptions,
): Promise<SampledPairs> {
  const { k, maxNewTokens } = options;
  const { contextLength } = policy.config;
  // A prompt keeps bos and its last tokens so that at least max_new_tokens (or half the context) are left to generate.
  const promptRoom = Math.max(Math.floor(contextLength / 2), contextLength - maxNewTokens, 1);
  const perCall = Math.max(1, Math.floor(options.batchSize / k));
  const result: SampledPairs = { pairs: [], promptsWithoutPair: 0, completions: 0, emptyCompletions: 0 };

  for (let start = 0; start < prompts.length; start += perCall) {
    const group = prompts.slice(start, start + perCall);
    const promptIds = group.map((p) => keepPromptEnd([tokenizer.bos, ...tokenizer.encode(p.prompt)], promptRoom));
    // The group's k rows per prompt are generated together, as one batch.
    const sampling = { temperature: options.temperature, top_k: options.topK, top_p: options.topP, max_new_tokens: maxNewTokens, batch_size: group.length * k };
    const sampled = await sampleCompletions(policy, tokenizer, promptIds, sampling, options.random, { samplesPerPrompt: k });
    const scores = await reward.score(
      sampled.map((_, r) => group[Math.floor(r / k)].prompt),
      sampled.map((c) => c.text),
    );

    group.forEach((prompt, g) => {
      const candidates: Candidate[] = [];
      for (let r = g * k; r < (g + 1) * k; r++) {
        result.completions++;
        // An empty text (eos at once) is left out: a pair of texts needs two texts.
        if (sampled[r].completionIds.length === 0) result.emptyCompletions++;
        else candidates.push({ ids: sampled[r].response, text: sampled[r].text, score: scores[r] });
      }
      const formed = formPairs(candidates.map((c) => c.score), options.pairing, options.minMargin);
      if (formed.length === 0) result.promptsWithoutPair++;
      for (const [w, l] of formed) {
        result.pairs.push({
          prompt: prompt.prompt,
          chosen: candidates[w].text,
          rejected: candidates[l].text,
          chosen_score: candidates[w].score,
          rejected_score: candidates[l].score,
          prompt_ids: promptIds[g],
          chosen_ids: candidates[w].ids,
          rejected_ids: candidates[l].ids,
          split: prompt.split,
        });
      }
    });
    await options.onBatch?.(Math.min(start + perCall, prompts.length));
  }
  return result;
}
