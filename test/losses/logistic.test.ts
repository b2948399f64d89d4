import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { logisticAccuracy, logisticLoss } from '../../src/losses/logistic.ts';
import { assertClose } from './close.ts';

/**
 * z = [0, 2, 2, -1], y = [1, 1, 0, 0]; softplus(z) - y z per example:
 *   log 2 = 0.693147; log(1 + e^-2) = 0.126928; log(1 + e^2) = 2.126928; log(1 + e^-1) = 0.313262
 *   mean (0.693147 + 0.126928 + 2.126928 + 0.313262) / 4 = 0.815066
 */
const logits = [0, 2, 2, -1];
const labels = [1, 1, 0, 0];

describe('logisticLoss', () => {
  before(async () => void (await initBackend('wasm')));

  it('is the mean binary cross-entropy worked out by hand', () => {
    assertClose(logisticLoss(tf.tensor1d(logits), tf.tensor1d(labels)).dataSync(), [0.815066]);
  });

  it('has gradient (sigma(z) - y) / B', () => {
    // sigma(0) = 0.5, sigma(2) = 0.880797, sigma(-1) = 0.268941:
    // [(0.5 - 1), (0.880797 - 1), 0.880797, 0.268941] / 4
    const gradient = tf.grad((z: tf.Tensor) => logisticLoss(z as tf.Tensor1D, tf.tensor1d(labels)))(tf.tensor1d(logits));
    assertClose(gradient.dataSync(), [-0.125, -0.029801, 0.220199, 0.067235]);
  });

  it('stays finite for large |z|', () => {
    // z = 100, y = 1: softplus(100) - 100 = 0; z = -100, y = 0: softplus(-100) = 0
    assertClose(logisticLoss(tf.tensor1d([100, -100]), tf.tensor1d([1, 0])).dataSync(), [0]);
  });
});

describe('logisticAccuracy', () => {
  it('counts (z > 0) == (y == 1), z = 0 counting as negative', () => {
    // predictions [0, 1, 1, 0] against [1, 1, 0, 0]: 2 of 4
    assert.equal(logisticAccuracy(logits, labels), 0.5);
  });

  it('is NaN for no examples', () => {
    assert.ok(Number.isNaN(logisticAccuracy([], [])));
  });
});
