import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { sftLoss } from '../../src/losses/sft.ts';
import { tokenLogProbs } from '../../src/losses/tokenLogProbs.ts';
import { assertClose } from './close.ts';

/**
 * One sequence, V = 3:
 *   t = 0: logits [0, 0, 0], target 1: p = 1/3, -log p = 1.098612
 *   t = 1: logits [0, log 2, 0], target 1: p = 2/4, -log p = 0.693147
 *   t = 2: logits [50, 0, 0], target 2, masked out (its -log p = 50 would dominate)
 */
const logits = () => tf.tensor3d([[[0, 0, 0], [0, Math.log(2), 0], [50, 0, 0]]]);
const targets = () => tf.tensor2d([[1, 1, 2]], undefined, 'int32');
const mask = () => tf.tensor2d([[1, 1, 0]]);

describe('sftLoss', () => {
  before(async () => void (await initBackend('wasm')));

  it('gives the per-token log-probabilities of the targets', () => {
    assertClose(tokenLogProbs(logits(), targets()).dataSync(), [-1.098612, -0.693147, -50]);
  });

  it('is the masked mean next-token cross-entropy', () => {
    // (1.098612 + 0.693147) / 2 = 0.895880
    assertClose(sftLoss(logits(), targets(), mask()).dataSync(), [0.89588]);
  });

  it('has gradient (softmax - onehot) / N on the masked tokens and 0 on the others', () => {
    const gradient = tf.grad((x: tf.Tensor) => sftLoss(x as tf.Tensor3D, targets(), mask()))(logits());
    // N = 2; t = 0: ([1/3, 1/3, 1/3] - [0, 1, 0]) / 2; t = 1: ([1/4, 1/2, 1/4] - [0, 1, 0]) / 2; t = 2: 0
    assertClose(gradient.dataSync(), [1 / 6, -1 / 3, 1 / 6, 0.125, -0.25, 0.125, 0, 0, 0]);
  });

  it('gives a padded batch the same loss as its sequences unpadded', () => {
    // sequence 2 alone: logits [0, 0, log 3] target 2: p = 3/5, -log p = 0.510826; all three tokens: (1.098612 + 0.693147 + 0.510826) / 3
    const padded = tf.tensor3d([[[0, 0, 0], [0, Math.log(2), 0]], [[0, 0, Math.log(3)], [9, 9, -9]]]);
    const loss = sftLoss(padded, tf.tensor2d([[1, 1], [2, 0]], undefined, 'int32'), tf.tensor2d([[1, 1], [1, 0]]));
    assertClose(loss.dataSync(), [(1.098612 + 0.693147 + 0.510826) / 3]);
  });
});
