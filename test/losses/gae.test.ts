import assert from 'node:assert/strict';
import { gae, whiten } from '../../src/losses/gae.ts';
import { Random } from '../../src/core/random.ts';
import { assertClose } from './close.ts';

describe('gae', () => {
  it('matches a 3-step example worked out by hand', () => {
    // gamma 0.9, lambda 0.8 (gamma lambda = 0.72), rewards [0, 0, 1], values [0.5, 0.6, 0.7]:
    // t = 2: delta = 1 + 0 - 0.7 = 0.3                      A = 0.3
    // t = 1: delta = 0 + 0.9 * 0.7 - 0.6 = 0.03              A = 0.03 + 0.72 * 0.3 = 0.246
    // t = 0: delta = 0 + 0.9 * 0.6 - 0.5 = 0.04              A = 0.04 + 0.72 * 0.246 = 0.21712
    // returns = A + V = [0.71712, 0.846, 1.0]
    const { advantages, returns } = gae([0, 0, 1], [0.5, 0.6, 0.7], 0.9, 0.8);
    assertClose(advantages, [0.21712, 0.246, 0.3], 1e-12);
    assertClose(returns, [0.71712, 0.846, 1.0], 1e-12);
  });

  it('ignores the positions beyond the length and returns 0 there', () => {
    const { advantages, returns } = gae([0, 0, 1, 5], [0.5, 0.6, 0.7, 9], 0.9, 0.8, 3);
    assertClose(advantages, [0.21712, 0.246, 0.3, 0], 1e-12);
    assertClose(returns, [0.71712, 0.846, 1.0, 0], 1e-12);
  });

  it('equals the direct sum A_t = sum_l (gamma lambda)^l delta_{t+l} on a longer random sequence', () => {
    const random = new Random(7);
    const T = 40;
    const rewards = Array.from({ length: T }, () => random.next() * 2 - 1);
    const values = Array.from({ length: T }, () => random.next());
    const [gamma, lambda] = [0.99, 0.95];
    const delta = (t: number) => rewards[t] + gamma * (t + 1 < T ? values[t + 1] : 0) - values[t];
    const expected: number[] = [];
    for (let t = 0; t < T; t++) {
      let sum = 0;
      for (let l = 0; t + l < T; l++) sum += (gamma * lambda) ** l * delta(t + l);
      expected.push(sum);
    }
    assertClose(gae(rewards, values, gamma, lambda).advantages, expected, 1e-10);
  });

  it('rejects a length longer than the sequence', () => {
    assert.throws(() => gae([1], [1], 1, 1, 2), RangeError);
  });
});

describe('whiten', () => {
  it('standardises the masked positions over the whole batch and zeroes the others', () => {
    // masked values 1, 2, 3: mean 2, unbiased variance (1 + 0 + 1) / 2 = 1
    const out = whiten([[1, 2], [3, 99]], [[1, 1], [1, 0]]);
    assertClose(out.flat(), [-1, 0, 1, 0], 1e-6);
  });

  it('keeps the mean when shiftMean is false', () => {
    assertClose(whiten([[1, 2], [3, 99]], [[1, 1], [1, 0]], false).flat(), [1, 2, 3, 0], 1e-6);
  });

  it('gives a padded batch the same values as the unpadded one', () => {
    const unpadded = whiten([[0.5, -1, 2, 4]], [[1, 1, 1, 1]]).flat();
    const padded = whiten([[0.5, -1, 7], [2, 4, -30]], [[1, 1, 0], [1, 1, 0]]);
    assertClose([padded[0][0], padded[0][1], padded[1][0], padded[1][1]], unpadded, 1e-12);
  });
});
