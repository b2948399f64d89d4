import assert from 'node:assert/strict';
import { distinctN, mean, standardError } from '../../src/evaluation/statistics.ts';
import { pairComparisons, winRateOf } from '../../src/evaluation/winRate.ts';
import { createRewardJudge } from '../../src/evaluation/judges/reward.ts';
import { Random } from '../../src/core/random.ts';

describe('frontier statistics', () => {
  it('gives the mean and its standard error s / sqrt(n)', () => {
    assert.equal(mean([1, 2, 3, 4]), 2.5);
    // s^2 = (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3; se = sqrt(5/3 / 4)
    assert.ok(Math.abs(standardError([1, 2, 3, 4]) - Math.sqrt(5 / 12)) < 1e-12);
    assert.equal(standardError([7]), 0);
    assert.ok(Number.isNaN(mean([])));
  });

  it('counts distinct n-grams over all the completions', () => {
    // bigrams: (1,2) (2,1) (1,2) | (3,4): 3 distinct of 4
    assert.equal(distinctN([[1, 2, 1, 2], [3, 4], [5]], 2), 3 / 4);
    assert.equal(distinctN([[1, 1, 1]], 1), 1 / 3);
    assert.equal(distinctN([[1]], 2), 0);
  });
});

describe('win rates judged by the reward', () => {
  it('pairs the j-th completion of a prompt with the baseline j-th, cycling, and skips prompts without a baseline', () => {
    const policy = [0, 0, 1, 2].map((promptIndex, i) => ({ promptIndex, completion: `p${i}`, reward: i }));
    const baseline = [{ promptIndex: 0, completion: 'b0', reward: 0.5 }, { promptIndex: 1, completion: 'b1', reward: 9 }];
    const comparisons = pairComparisons(['x', 'y', 'z'], policy, baseline);
    assert.deepEqual(comparisons.map((c) => [c.prompt, c.policy, c.baseline]), [['x', 'p0', 'b0'], ['x', 'p1', 'b0'], ['y', 'p2', 'b1']]);
  });

  it('counts a higher reward as a win and a tie as half', async () => {
    const judge = createRewardJudge();
    const comparisons = [[1, 0], [0, 1], [0.5, 0.5], [2, 1]].map(([p, b]) => ({ prompt: '', policy: '', baseline: '', policyReward: p, baselineReward: b }));
    const rate = winRateOf(await judge.judge(comparisons, new Random(0)));
    assert.deepEqual([rate.winRate, rate.ties, rate.n, rate.failures], [(1 + 0 + 0.5 + 1) / 4, 1, 4, 0]);
  });
});
