import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { unlikelihoodLoss } from '../../src/losses/unlikelihood.ts';
import { assertClose as close } from './close.ts';

describe('unlikelihoodLoss', () => {
  before(async () => void (await initBackend('wasm')));

  it('is -log p(y_w) - alpha sum_t log(1 - p(y_l,t)) over the masked tokens', () => {
    // pair 1: -(-2) - 1 * (log(1 - 0.5) + log(1 - 0.2)) = 2 + 0.693147 + 0.223144 = 2.916291
    //         (the third token is padding: its logp 0, p = 1, would otherwise dominate)
    // pair 2, alpha = 1: -(-1) - log(1 - 0.5) = 1.693147
    const losses = unlikelihoodLoss(
      {
        policyChosenLogps: tf.tensor1d([-2, -1]),
        policyRejectedTokenLogps: tf.tensor2d([[Math.log(0.5), Math.log(0.2), 0], [Math.log(0.5), 0, 0]]),
        rejectedMask: tf.tensor2d([[1, 1, 0], [1, 0, 0]]),
      },
      1,
    );
    close(losses.dataSync(), [2.916291, 1.693147]);
  });

  it('scales the unlikelihood term by alpha', () => {
    // -(-2) - 0.5 * log(0.5) = 2.346574
    const losses = unlikelihoodLoss(
      { policyChosenLogps: tf.tensor1d([-2]), policyRejectedTokenLogps: tf.tensor2d([[Math.log(0.5)]]), rejectedMask: tf.tensor2d([[1]]) },
      0.5,
    );
    close(losses.dataSync(), [2.346574]);
  });

  it('stays finite when a rejected token has probability 1, near log(1e-6) per token', () => {
    const inputs = { policyChosenLogps: tf.tensor1d([0]), policyRejectedTokenLogps: tf.variable(tf.tensor2d([[0]])), rejectedMask: tf.tensor2d([[1]]) };
    const loss = unlikelihoodLoss(inputs, 1).dataSync()[0];
    assert.ok(Math.abs(loss - -Math.log(1e-6)) < 0.05, `${loss}`); // 13.8155 (float32 rounds 1 - 1e-6)
    const gradient = tf.grad((x: tf.Tensor) => tf.sum(unlikelihoodLoss({ ...inputs, policyRejectedTokenLogps: x as tf.Tensor2D }, 1)))(inputs.policyRejectedTokenLogps);
    assert.ok(Number.isFinite(gradient.dataSync()[0]));
  });
});
