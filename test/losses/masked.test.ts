import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { maskedMean, maskedSum } from '../../src/losses/masked.ts';
import { assertClose } from './close.ts';

describe('maskedSum and maskedMean', () => {
  before(async () => void (await initBackend('wasm')));
  const x = () => tf.tensor2d([[1, 2, 100], [3, 100, 100]]);
  const mask = () => tf.tensor2d([[1, 1, 0], [1, 0, 0]]);

  it('sum and average only the masked positions, per row or overall', () => {
    assertClose(maskedSum(x(), mask(), 1).dataSync(), [3, 3]);
    assertClose(maskedMean(x(), mask(), 1).dataSync(), [1.5, 3]);
    assertClose(maskedMean(x(), mask()).dataSync(), [2]); // (1 + 2 + 3) / 3
  });

  it('gives 0, not NaN, for a row with no masked position', () => {
    assertClose(maskedMean(x(), tf.tensor2d([[1, 0, 0], [0, 0, 0]]), 1).dataSync(), [1, 0]);
  });
});
