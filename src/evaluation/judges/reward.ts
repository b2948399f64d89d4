/**
 * The `reward` judge: the completion with the higher ground-truth reward wins, equal
 * rewards are a tie. This is how the paper compares sentiment generations.
 */
import type { Judge, Judgement } from './types.ts';

export function createRewardJudge(): Judge {
  return {
    kind: 'reward',
    description: 'the ground-truth reward (the higher wins; equal rewards are a tie)',
    maxComparisons: Infinity,
    async judge(comparisons) {
      return comparisons.map(
        ({ policyReward, baselineReward }): Judgement => ({ verdict: policyReward > baselineReward ? 1 : policyReward < baselineReward ? 0 : 0.5 }),
      );
    },
  };
}
