import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { bradleyTerryLoss, preferenceAccuracy } from '../../src/losses/bradleyTerry.ts';
import { assertClose } from './close.ts';

describe('bradleyTerryLoss', () => {
  before(async () => void (await initBackend('wasm')));

  it('is the mean of -log sigma(r_w - r_l)', () => {
    // r_w - r_l = [1, -1]: log(1 + e^-1) = 0.313262, log(1 + e) = 1.313262, mean 0.813262
    assertClose(bradleyTerryLoss(tf.tensor1d([2, 0]), tf.tensor1d([1, 1])).dataSync(), [0.813262]);
  });

  it('subtracts the margin inside the sigmoid', () => {
    // r_w - r_l - 1 = [0, -2]: log 2 = 0.693147, log(1 + e^2) = 2.126928, mean 1.410038
    assertClose(bradleyTerryLoss(tf.tensor1d([2, 0]), tf.tensor1d([1, 1]), 1).dataSync(), [1.410038]);
    assertClose(bradleyTerryLoss(tf.tensor1d([2, 0]), tf.tensor1d([1, 1]), tf.tensor1d([1, 0])).dataSync(), [(0.693147 + 1.313262) / 2]);
  });
});

describe('preferenceAccuracy', () => {
  before(async () => void (await initBackend('wasm')));

  it('counts the pairs with r_w > r_l, a tie counting as wrong', () => {
    assertClose(preferenceAccuracy(tf.tensor1d([2, 0, 1, 5]), tf.tensor1d([1, 1, 1, -5])).dataSync(), [0.5]);
  });
});
