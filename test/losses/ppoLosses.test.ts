import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { policyLoss, valueLoss } from '../../src/losses/ppoLosses.ts';
import { assertClose } from './close.ts';

const { log } = Math;

describe('policyLoss', () => {
  before(async () => void (await initBackend('wasm')));

  /**
   * cliprange 0.2, old log-probabilities 0, four tokens:
   *   ratio 1.5, A = 1:  -A ratio = -1.5, -A clip = -1.2 -> max -1.2 (clipped)
   *   ratio 0.5, A = 1:  -0.5, -0.8 -> -0.5
   *   ratio 0.5, A = -1: 0.5, 0.8 -> 0.8 (clipped)
   *   ratio 1,   A = 2:  -2, -2 -> -2
   * loss = (-1.2 - 0.5 + 0.8 - 2) / 4 = -0.725; clipfrac = 2 / 4
   * approxkl = 0.5 mean(log(1.5)^2, log(0.5)^2, log(0.5)^2, 0) = 0.5 (0.164402 + 2 * 0.480453) / 4 = 0.140664
   */
  const expected = [-0.725, 0.5, 0.140664];

  it('gives the clipped surrogate, clipfrac and approxkl worked out by hand', () => {
    const out = policyLoss(
      {
        logprobs: tf.tensor2d([[log(1.5), log(0.5)], [log(0.5), 0]]),
        oldLogprobs: tf.zeros([2, 2]),
        advantages: tf.tensor2d([[1, 1], [-1, 2]]),
        mask: tf.ones([2, 2]),
      },
      0.2,
    );
    assertClose([out.loss, out.clipfrac, out.approxkl].map((s) => s.dataSync()[0]), expected);
  });

  it('gives a padded batch the same statistics as the unpadded one', () => {
    const out = policyLoss(
      {
        logprobs: tf.tensor2d([[log(1.5), log(0.5), 3], [log(0.5), 0, -4]]),
        oldLogprobs: tf.tensor2d([[0, 0, -2], [0, 0, 1]]),
        advantages: tf.tensor2d([[1, 1, 50], [-1, 2, -50]]),
        mask: tf.tensor2d([[1, 1, 0], [1, 1, 0]]),
      },
      0.2,
    );
    assertClose([out.loss, out.clipfrac, out.approxkl].map((s) => s.dataSync()[0]), expected);
  });
});

describe('valueLoss', () => {
  before(async () => void (await initBackend('wasm')));

  /**
   * cliprange_value 0.25, two tokens:
   *   V = 1, V_old = 0.5, R = 1: V_clip = 0.75; (V - R)^2 = 0, (V_clip - R)^2 = 0.0625 -> 0.0625 (clipped)
   *   V = 0.75, V_old = 0.5, R = 0: V_clip = 0.75; both 0.5625 -> 0.5625
   * loss = 0.5 (0.0625 + 0.5625) / 2 = 0.15625; clipfrac = 1 / 2
   */
  it('gives the clipped value loss and clipfrac worked out by hand, padding excluded', () => {
    const out = valueLoss(
      { values: tf.tensor2d([[1, 0.75, 8]]), oldValues: tf.tensor2d([[0.5, 0.5, 0]]), returns: tf.tensor2d([[1, 0, -8]]), mask: tf.tensor2d([[1, 1, 0]]) },
      0.25,
    );
    assertClose([out.loss.dataSync()[0], out.clipfrac.dataSync()[0]], [0.15625, 0.5]);
  });
});
