import assert from 'node:assert/strict';
import { distinctN, mean, standardError, wilsonInterval } from '../../src/evaluation/statistics.ts';
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

describe('the Wilson score interval of a win rate', () => {
  const close = (actual: number, expected: number, tolerance = 1e-5) => assert.ok(Math.abs(actual - expected) < tolerance, `${actual} vs ${expected}`);

  it('gives the hand-computed bounds for 8 wins of 10 at z = 1.96', () => {
    // z^2/n = 0.38416; centre = (0.8 + 0.19208) / 1.38416 = 0.716745;
    // half = 1.96 / 1.38416 * sqrt(0.8 * 0.2 / 10 + 3.8416 / 400) = 1.416021 * 0.160012 = 0.226581
    const { low, high } = wilsonInterval(8, 10, 1.96);
    close(low, 0.490164);
    close(high, 0.943326);
    // The default z is the exact 0.975 normal quantile: the same to three decimals.
    close(wilsonInterval(8, 10).low, 0.490164, 1e-4);
  });

  it('stays inside [0, 1] and is not empty when every comparison is won', () => {
    // p = 1: centre = 1.19208 / 1.38416 = 0.861230, half = 1.416021 * sqrt(3.8416 / 400) = 0.138770
    const { low, high } = wilsonInterval(10, 10, 1.96);
    close(low, 0.722460);
    assert.equal(high, 1);
    assert.ok(Number.isNaN(wilsonInterval(0, 0).low));
  });

  it('counts ties as half a win: 3 wins, 2 ties and 5 losses give the interval of 4 of 10', async () => {
    const judge = createRewardJudge();
    const pairs = [...Array(3).fill([1, 0]), ...Array(2).fill([0.5, 0.5]), ...Array(5).fill([0, 1])];
    const rate = winRateOf(await judge.judge(pairs.map(([p, b]) => ({ prompt: '', policy: '', baseline: '', policyReward: p, baselineReward: b })), new Random(0)));
    // p = 0.4: centre = 0.59208 / 1.38416 = 0.427754, half = 1.416021 * sqrt(0.024 + 0.009604) = 0.259578
    const hand = { low: 0.168176, high: 0.687332 };
    close(rate.ciLow, hand.low, 1e-3);
    close(rate.ciHigh, hand.high, 1e-3);
    assert.deepEqual(wilsonInterval(4, 10), { low: rate.ciLow, high: rate.ciHigh });
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
