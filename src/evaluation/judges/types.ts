/**
 * A judge decides, for a prompt and two completions (the policy's and the baseline's),
 * which is better. Kinds are built by the factories in ./index.ts.
 */
import type { Random } from '../../core/random.ts';

export interface Comparison {
  prompt: string;
  policy: string;
  baseline: string;
  /** The ground-truth rewards of the two completions (already computed for the frontier). */
  policyReward: number;
  baselineReward: number;
}

/** 1: the policy's completion wins; 0: the baseline's; 0.5: a tie (or no usable answer). */
export type Verdict = 1 | 0 | 0.5;

export interface Judgement {
  verdict: Verdict;
  /** Set when the judge gave no usable answer (the verdict is then a tie). */
  failure?: string;
}

export interface Judge {
  readonly kind: string;
  /** A description for the report (`ground-truth reward`, `gpt-4o at http://...`). */
  readonly description: string;
  /** The most comparisons per policy and temperature (the first ones); Infinity for no cap. */
  readonly maxComparisons: number;
  /** One judgement per comparison, in order. `random` decides any ordering the judge randomises. */
  judge(comparisons: readonly Comparison[], random: Random): Promise<Judgement[]>;
}
