import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { sequenceLogps } from '../../src/losses/sequenceLogps.ts';
import { assertClose } from './close.ts';

describe('sequenceLogps', () => {
  before(async () => void (await initBackend('wasm')));

  // row 0: -1 + -2 = -3 (the -100 is padding); row 1: -0.5 + -0.25 = -0.75 (the -100 is a prompt token)
  const tokenLogps = () => tf.tensor2d([[-1, -2, -100], [-0.5, -100, -0.25]]);
  const mask = () => tf.tensor2d([[1, 1, 0], [1, 0, 1]]);

  it('sums the masked tokens of each sequence and counts them', () => {
    const { logps, counts } = sequenceLogps(tokenLogps(), mask());
    assertClose(logps.dataSync(), [-3, -0.75]);
    assertClose(counts.dataSync(), [2, 2]);
  });

  it('has gradient 1 on the masked tokens and 0 on the others', () => {
    const gradient = tf.grad((x: tf.Tensor) => tf.sum(sequenceLogps(x as tf.Tensor2D, mask()).logps))(tokenLogps());
    assertClose(gradient.dataSync(), [1, 1, 0, 1, 0, 1]);
  });

  it('leaves no tensors behind but its outputs', () => {
    const [x, m] = [tokenLogps(), mask()];
    const before = tf.memory().numTensors;
    const out = sequenceLogps(x, m);
    assert.equal(tf.memory().numTensors, before + 2);
    tf.dispose([x, m, out.logps, out.counts]);
  });
});
