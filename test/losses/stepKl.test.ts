import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { stepKl, temperedLogProbs } from '../../src/losses/stepKl.ts';
import { assertClose } from './close.ts';

describe('per-step KL of the sampled distribution to the reference', () => {
  before(async () => {
    await initBackend('wasm');
  });

  const ln = Math.log;

  it('is sum_v p_v log(p_v / q_v) at temperature 1: p = (1/2, 1/4, 1/4) against uniform', async () => {
    const policy = tf.tensor2d([[ln(2), 0, 0]]); // softmax: 1/2, 1/4, 1/4
    const reference = tf.tensor2d([[0, 0, 0]]); // 1/3 each
    const kl = stepKl(temperedLogProbs(policy, 1), temperedLogProbs(reference, 1));
    // 1/2 ln(3/2) + 2 * 1/4 ln(3/4) = 0.0588915...
    assertClose(await kl.data(), [0.5 * ln(1.5) + 0.5 * ln(0.75)], 1e-6);
    assertClose([0.5 * ln(1.5) + 0.5 * ln(0.75)], [0.0588915], 1e-6);
    tf.dispose([policy, reference, kl]);
  });

  it('divides the policy logits by T and leaves the reference at temperature 1', async () => {
    // logits (0, ln 4) at T = 2 are (0, ln 2): p = (1/3, 2/3); the reference (0, ln 4) is q = (1/5, 4/5).
    const logits = tf.tensor2d([[0, ln(4)]]);
    const logp = temperedLogProbs(logits, 2);
    assertClose(await logp.data(), [ln(1 / 3), ln(2 / 3)], 1e-6);
    const kl = stepKl(logp, temperedLogProbs(logits, 1));
    // 1/3 ln((1/3)/(1/5)) + 2/3 ln((2/3)/(4/5)) = 1/3 ln(5/3) + 2/3 ln(5/6) = 0.0487...
    assertClose(await kl.data(), [ln(5 / 3) / 3 + (2 / 3) * ln(5 / 6)], 1e-6);
    tf.dispose([logits, logp, kl]);
  });

  it('renormalises over a top-k support, the ids outside it contributing nothing', async () => {
    // logits (ln 3, ln 1, ln 2, ln 2) with the support {0, 2}: p = (3/5, 0, 2/5, 0);
    // reference uniform over 4: KL = 3/5 ln(12/5) + 2/5 ln(8/5).
    const logits = tf.tensor2d([[ln(3), 0, ln(2), ln(2)]]);
    const support = tf.tensor2d([[1, 0, 1, 0]]);
    const logp = temperedLogProbs(logits, 1, support);
    const values = await logp.data();
    assertClose([values[0], values[2]], [ln(3 / 5), ln(2 / 5)], 1e-6);
    assert.equal(values[1], -Infinity);
    assert.equal(values[3], -Infinity);
    const reference = tf.zeros([1, 4]) as tf.Tensor2D;
    const kl = stepKl(logp, temperedLogProbs(reference, 1));
    assertClose(await kl.data(), [0.6 * ln(12 / 5) + 0.4 * ln(8 / 5)], 1e-6);
    tf.dispose([logits, support, logp, reference, kl]);
  });

  it('is -log q(argmax) for greedy decoding (T = 0, the point mass)', async () => {
    const logits = tf.tensor2d([[0, ln(3)], [ln(4), 0]]); // reference q = (1/4, 3/4) and (4/5, 1/5)
    const support = tf.tensor2d([[0, 1], [1, 0]]);
    const kl = stepKl(temperedLogProbs(logits, 0, support), temperedLogProbs(logits, 1));
    assertClose(await kl.data(), [-ln(3 / 4), -ln(4 / 5)], 1e-6);
    tf.dispose([logits, support, kl]);
  });

  it('is 0 for a policy equal to its reference and positive otherwise, row by row', async () => {
    const a = tf.tensor2d([[0.3, -1, 2], [1, 1, 1]]);
    const b = tf.tensor2d([[0.3, -1, 2], [0, 2, 1]]);
    const kl = await stepKl(temperedLogProbs(a, 1), temperedLogProbs(b, 1)).data();
    assert.ok(Math.abs(kl[0]) < 1e-6 && kl[1] > 0.1, `${kl}`);
    tf.dispose([a, b]);
  });
});
