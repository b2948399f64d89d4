/**
 * The statistics of one frontier point (a policy at one temperature) from its scored
 * samples: reward, the two KL estimates (./kl.ts), and the signs of degeneration (length,
 * distinct-n, how often the policy stops, prompts whose samples are all the same).
 */
import { splitEos } from '../model/completionTokens.ts';
import type { CompletionScores } from './kl.ts';
import { distinctN, mean, standardError } from './statistics.ts';

export interface ScoredSamples {
  /** Ground-truth reward per sample. */
  rewards: readonly number[];
  /** The KL measures per sample; null when not measured per sample (best-of-N). */
  scores: Pick<CompletionScores, 'kl' | 'klSample'> | null;
  /** Each completion's tokens, eos last when it was sampled. */
  tokens: readonly (readonly number[])[];
  eos: number;
  /** The prompt of each sample (an index or the text): the samples of one prompt are compared with each other. */
  promptOf: readonly (number | string)[];
}

export interface PointStatistics {
  reward_mean: number;
  reward_se: number;
  /** The exact per-step KL summed along each sample, averaged. */
  kl_mean: number;
  kl_se: number | null;
  /** log pi_T(y|x) - log pi_ref(y|x), averaged. */
  kl_sample_mean: number;
  kl_sample_se: number | null;
  /** Completion length in text tokens (eos not counted). */
  length_mean: number;
  /** The share of completions that ended with eos (the rest were cut at max_new_tokens). */
  eos_rate: number;
  distinct_1: number;
  distinct_2: number;
  /** The share of prompts (with at least two samples) whose samples are all the same completion; NaN when none has two. */
  identical_share: number;
  n_prompts: number;
  n_samples: number;
}

export function pointStatistics(samples: ScoredSamples): PointStatistics {
  const split = samples.tokens.map((t) => splitEos(t, samples.eos));
  const text = split.map((s) => s.textIds);
  return {
    reward_mean: mean(samples.rewards),
    reward_se: standardError(samples.rewards),
    kl_mean: samples.scores ? mean(samples.scores.kl) : NaN,
    kl_se: samples.scores ? standardError(samples.scores.kl) : null,
    kl_sample_mean: samples.scores ? mean(samples.scores.klSample) : NaN,
    kl_sample_se: samples.scores ? standardError(samples.scores.klSample) : null,
    length_mean: mean(text.map((t) => t.length)),
    eos_rate: mean(split.map((s) => (s.endedWithEos ? 1 : 0))),
    distinct_1: distinctN(text, 1),
    distinct_2: distinctN(text, 2),
    identical_share: identicalShare(samples.promptOf, samples.tokens),
    n_prompts: new Set(samples.promptOf).size,
    n_samples: samples.rewards.length,
  };
}

/** The share of prompts with two or more samples whose samples are all identical (NaN when there are none). */
export function identicalShare(promptOf: readonly (number | string)[], tokens: readonly (readonly number[])[]): number {
  const byPrompt = new Map<number | string, Set<string>>();
  const counts = new Map<number | string, number>();
  promptOf.forEach((p, i) => {
    byPrompt.set(p, (byPrompt.get(p) ?? new Set()).add(tokens[i].join(',')));
    counts.set(p, (counts.get(p) ?? 0) + 1);
  });
  const compared = [...byPrompt.keys()].filter((p) => counts.get(p)! >= 2);
  return compared.length === 0 ? NaN : compared.filter((p) => byPrompt.get(p)!.size === 1).length / compared.length;
}
