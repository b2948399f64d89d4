/**
 * The statistics of one frontier point (a policy at one temperature) from its scored
 * samples.
 */
import { distinctN, mean, standardError } from './statistics.ts';

export interface ScoredSamples {
  /** Ground-truth reward per sample. */
  rewards: readonly number[];
  /** log pi(y|x) - log pi_ref(y|x) per sample; null when it was not measured per sample (best-of-N). */
  kls: readonly number[] | null;
  /** Each completion's tokens. */
  tokens: readonly (readonly number[])[];
  /** Distinct prompts among the samples. */
  nPrompts: number;
}

export interface PointStatistics {
  reward_mean: number;
  reward_se: number;
  kl_mean: number;
  kl_se: number | null;
  length_mean: number;
  distinct_1: number;
  distinct_2: number;
  n_prompts: number;
  n_samples: number;
}

export function pointStatistics(samples: ScoredSamples): PointStatistics {
  return {
    reward_mean: mean(samples.rewards),
    reward_se: standardError(samples.rewards),
    kl_mean: samples.kls ? mean(samples.kls) : NaN,
    kl_se: samples.kls ? standardError(samples.kls) : null,
    length_mean: mean(samples.tokens.map((t) => t.length)),
    distinct_1: distinctN(samples.tokens, 1),
    distinct_2: distinctN(samples.tokens, 2),
    n_prompts: samples.nPrompts,
    n_samples: samples.rewards.length,
  };
}
