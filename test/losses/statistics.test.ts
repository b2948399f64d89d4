import assert from 'node:assert/strict';
import { explainedVariance, mean, tokenMean, variance } from '../../src/losses/statistics.ts';
import { assertClose } from './close.ts';

describe('statistics over plain numbers', () => {
  it('gives the mean, NaN for no values', () => {
    assert.equal(mean([1, 2, 6]), 3);
    assert.ok(Number.isNaN(mean([])));
  });

  it('gives the mean over every token of ragged rows, not the mean of row means', () => {
    // (1 + 2 + 6) / 3 = 3; the mean of the row means would be (1.5 + 6) / 2 = 3.75
    assert.equal(tokenMean([[1, 2], [6]]), 3);
  });

  it('gives the population variance', () => {
    // mean 3: (4 + 1 + 9) / 3 = 14/3
    assertClose([variance([1, 2, 6])], [14 / 3], 1e-12);
  });

  it('measures the explained variance of the values', () => {
    assert.equal(explainedVariance([[1, 2], [3]], [[1, 2], [3]]), 1);
    assert.equal(explainedVariance([[0, 0], [0]], [[1, 2], [3]]), 0);
    // returns [2, 2, 4] (mean 8/3, variance (4/9 + 4/9 + 16/9) / 3 = 8/9), values [1, 2, 3]:
    // residuals [1, 0, 1] (mean 2/3, variance (1/9 + 4/9 + 1/9) / 3 = 2/9): 1 - (2/9) / (8/9) = 0.75
    assertClose([explainedVariance([[1, 2], [3]], [[2, 2], [4]])], [0.75], 1e-12);
  });
});
