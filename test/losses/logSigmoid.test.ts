import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { logSigmoid } from '../../src/losses/logSigmoid.ts';
import { assertClose } from './close.ts';

describe('logSigmoid', () => {
  before(async () => void (await initBackend('wasm')));

  // -log(1 + e^-z): z = 0: -log 2 = -0.693147; z = 2: -0.126928; z = -2: -2.126928; z = -100: -100; z = 100: -e^-100 ~ 0
  const z = () => tf.tensor1d([0, 2, -2, -100, 100]);

  it('is log sigma(z), stable for large |z|', () => {
    assertClose(logSigmoid(z()).dataSync(), [-0.693147, -0.126928, -2.126928, -100, 0]);
  });

  it('has gradient sigma(-z)', () => {
    // sigma(-z) = [0.5, 0.119203, 0.880797, 1, 0]
    const gradient = tf.grad((x: tf.Tensor) => tf.sum(logSigmoid(x)))(z());
    assertClose(gradient.dataSync(), [0.5, 0.119203, 0.880797, 1, 0]);
  });
});
