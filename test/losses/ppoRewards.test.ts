import assert from 'node:assert/strict';
import { normalizeScores, perTokenRewards, rolloutAdvantages, sequenceKl } from '../../src/losses/ppoRewards.ts';
import { assertClose } from './close.ts';

describe('ppo per-token rewards', () => {
  it('gives each response token -kl_coef times its log-ratio and adds the score at the last token', () => {
    // log ratios [0.5, -1, 0], kl_coef 0.1 -> [-0.05, 0.1, 0], + score 2 on the last
    assertClose(perTokenRewards([-1, -2, -0.5], [-1.5, -1, -0.5], 2, 0.1), [-0.05, 0.1, 2], 1e-12);
    assert.equal(sequenceKl([-1, -2, -0.5], [-1.5, -1, -0.5]), -0.5);
  });

  it('normalises the scores over the batch and clips them', () => {
    // mean 2, population variance 2/3: (s - 2) / sqrt(2/3) = -1.2247, 0, 1.2247
    assertClose(normalizeScores([1, 2, 3], { normalize: true, clip: 0 }), [-1.224744, 0, 1.224744], 1e-5);
    assertClose(normalizeScores([1, 2, 3], { normalize: true, clip: 1 }), [-1, 0, 1], 1e-12);
    assertClose(normalizeScores([-5, 0.5, 7], { normalize: false, clip: 2 }), [-2, 0.5, 2], 1e-12);
    assertClose(normalizeScores([-5, 0.5], { normalize: false, clip: 0 }), [-5, 0.5], 1e-12);
  });

  it('computes GAE per sequence, returns unwhitened and advantages whitened over all tokens', () => {
    // Row 0: rewards [0, 1], values [0.5, 0.25]; row 1: rewards [3], values [1]; gamma 1, lambda 0.95.
    //   row 0, t = 1: delta = 1 - 0.25 = 0.75, A = 0.75; t = 0: delta = 0.25 - 0.5, A = -0.25 + 0.95 * 0.75 = 0.4625
    //   row 1: A = 3 - 1 = 2
    const out = rolloutAdvantages(
      { logprobs: [[-1, -1], [-2]], refLogprobs: [[-1, -1], [-2]], values: [[0.5, 0.25], [1]] },
      [1, 3],
      { klCoef: 0.2, gamma: 1, lam: 0.95, whitenRewards: false },
    );
    assertClose(out.rewards.flat(), [0, 1, 3], 1e-12);
    assertClose(out.returns[0], [0.9625, 1.0], 1e-12);
    assertClose(out.returns[1], [3], 1e-12);
    const raw = [0.4625, 0.75, 2];
    const m = raw.reduce((s, x) => s + x, 0) / 3;
    const sd = Math.sqrt(raw.reduce((s, x) => s + (x - m) ** 2, 0) / 2); // unbiased, as TRL's masked_whiten
    assertClose(out.advantages.flat(), raw.map((x) => (x - m) / sd), 1e-6);
  });

  it('whitens the per-token rewards over the batch, keeping their mean, when asked', () => {
    // log-ratios 0, so rewards [0, 1] and [3]: mean 4/3, unbiased variance (16/9 + 1/9 + 25/9) / 2 = 7/3,
    // sd 1.527525: (r - 4/3) / 1.527525 + 4/3 = [0.460461, 1.115115, 2.424423]
    const out = rolloutAdvantages(
      { logprobs: [[-1, -1], [-2]], refLogprobs: [[-1, -1], [-2]], values: [[0, 0], [0]] },
      [1, 3],
      { klCoef: 0.2, gamma: 1, lam: 1, whitenRewards: true },
    );
    assertClose(out.rewards.flat(), [0.460461, 1.115115, 2.424423], 1e-6);
  });
});
