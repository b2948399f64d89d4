import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { dpoLoss, type DpoLossSettings, type PreferenceLogps } from '../../src/losses/dpo.ts';
import { assertClose as close } from './close.ts';

/**
 * Two pairs, beta = 0.5:
 *   pair 1: log pi(y_w) = -1, log pi(y_l) = -3, log pi_ref(y_w) = -1.5, log pi_ref(y_l) = -2.5
 *           chosen log-ratio 0.5, rejected log-ratio -0.5, h = 1, beta h = 0.5
 *   pair 2: log pi(y_w) = -2, log pi(y_l) = -1, log pi_ref = -2 for both
 *           chosen log-ratio 0, rejected log-ratio 1, h = -1, beta h = -0.5
 */
function pairs(): PreferenceLogps {
  return {
    policyChosenLogps: tf.tensor1d([-1, -2]),
    policyRejectedLogps: tf.tensor1d([-3, -1]),
    referenceChosenLogps: tf.tensor1d([-1.5, -2]),
    referenceRejectedLogps: tf.tensor1d([-2.5, -2]),
  };
}
const settings: DpoLossSettings = { beta: 0.5, loss: 'sigmoid', labelSmoothing: 0, referenceFree: false };
// -log sigma(z) = log(1 + e^-z): log(1 + e^-0.5) = 0.474077, log(1 + e^0.5) = 0.974077, log(1 + e^-1) = 0.313262
const SOFTPLUS_MINUS_HALF = 0.474077;
const SOFTPLUS_HALF = 0.974077;
const SOFTPLUS_MINUS_ONE = 0.313262;

describe('dpoLoss', () => {
  before(async () => void (await initBackend('wasm')));

  it('is log 2 with zero rewards when the policy equals the reference', () => {
    const logps = tf.tensor1d([-4, -7.5]);
    const other = tf.tensor1d([-6, -1]);
    for (const labelSmoothing of [0, 0.2]) {
      const out = dpoLoss({ policyChosenLogps: logps, policyRejectedLogps: other, referenceChosenLogps: logps, referenceRejectedLogps: other }, { ...settings, labelSmoothing });
      close(out.losses.dataSync(), [Math.LN2, Math.LN2]);
      close(out.chosenRewards.dataSync(), [0, 0]);
      close(out.rejectedRewards.dataSync(), [0, 0]);
    }
  });

  it('gives the sigmoid loss and the implicit rewards worked out by hand', () => {
    const out = dpoLoss(pairs(), settings);
    close(out.losses.dataSync(), [SOFTPLUS_MINUS_HALF, SOFTPLUS_HALF]);
    close(out.chosenRewards.dataSync(), [0.25, 0]); // 0.5 * 0.5, 0.5 * 0
    close(out.rejectedRewards.dataSync(), [-0.25, 0.5]); // 0.5 * -0.5, 0.5 * 1
  });

  it('gives the conservative (label-smoothed) loss worked out by hand', () => {
    // -(1 - e) log sigma(beta h) - e log sigma(-beta h), e = 0.1:
    // pair 1: 0.9 * 0.474077 + 0.1 * 0.974077 = 0.524077; pair 2: 0.9 * 0.974077 + 0.1 * 0.474077 = 0.924077
    const out = dpoLoss(pairs(), { ...settings, labelSmoothing: 0.1 });
    close(out.losses.dataSync(), [0.524077, 0.924077]);
  });

  it('gives the IPO loss worked out by hand', () => {
    // (h - 1/(2 beta))^2 with 1/(2 * 0.5) = 1: (1 - 1)^2 = 0, (-1 - 1)^2 = 4
    close(dpoLoss(pairs(), { ...settings, loss: 'ipo' }).losses.dataSync(), [0, 4]);
  });

  it('gives the hinge loss worked out by hand', () => {
    // relu(1 - beta h): relu(1 - 0.5) = 0.5, relu(1 + 0.5) = 1.5
    close(dpoLoss(pairs(), { ...settings, loss: 'hinge' }).losses.dataSync(), [0.5, 1.5]);
  });

  it('drops the reference terms when reference-free', () => {
    // h = log pi(y_w) - log pi(y_l): pair 1: -1 + 3 = 2 (beta h = 1), pair 2: -2 + 1 = -1 (beta h = -0.5)
    const out = dpoLoss(pairs(), { ...settings, referenceFree: true });
    close(out.losses.dataSync(), [SOFTPLUS_MINUS_ONE, SOFTPLUS_HALF]);
    close(out.chosenRewards.dataSync(), [-0.5, -1]);
    close(out.rejectedRewards.dataSync(), [-1.5, -0.5]);
  });

  it('has gradient -beta sigma(r_l - r_w) with respect to the policy chosen log-probability', () => {
    const { policyChosenLogps, ...rest } = pairs();
    const gradient = tf.grad((chosen: tf.Tensor) => tf.sum(dpoLoss({ ...rest, policyChosenLogps: chosen as tf.Tensor1D }, settings).losses))(policyChosenLogps);
    // r_l - r_w: pair 1: -0.25 - 0.25 = -0.5; pair 2: 0.5 - 0 = 0.5
    const sigma = (z: number) => 1 / (1 + Math.exp(-z));
    close(gradient.dataSync(), [-0.5 * sigma(-0.5), -0.5 * sigma(0.5)]); // -0.188771, -0.311230
  });

  it('leaves no tensors behind but its outputs', () => {
    const inputs = pairs();
    const before = tf.memory().numTensors;
    const out = dpoLoss(inputs, { ...settings, labelSmoothing: 0.1 });
    assert.equal(tf.memory().numTensors, before + 3);
    tf.dispose([out.losses, out.chosenRewards, out.rejectedRewards]);
  });

  it('rejects a non-positive beta, label smoothing outside [0, 0.5), and smoothing on a non-sigmoid loss', () => {
    assert.throws(() => dpoLoss(pairs(), { ...settings, beta: 0 }), { name: 'UserError' });
    assert.throws(() => dpoLoss(pairs(), { ...settings, labelSmoothing: 0.5 }), { name: 'UserError' });
    assert.throws(() => dpoLoss(pairs(), { ...settings, loss: 'ipo', labelSmoothing: 0.1 }), { name: 'UserError' });
  });
});
