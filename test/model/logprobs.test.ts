import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import {
  buildBatch, createModel, disposeModel, logits, resolveConfig, sequenceLogProbs, targetLogProbs, tokenLogProbs, type GPT,
} from '../../src/model/index.ts';

const config = resolveConfig({ vocabSize: 19, contextLength: 16, nLayer: 2, nHead: 2, nEmbd: 8 });

/** log softmax in plain JS, in float64. */
function logSoftmax(row: number[]): number[] {
  const max = Math.max(...row);
  const logSum = Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0)) + max;
  return row.map((x) => x - logSum);
}

describe('sequence log-probabilities', () => {
  let model: GPT;
  before(async () => {
    await initBackend('wasm');
    model = createModel(config, { seed: 11 });
  });
  after(() => disposeModel(model));

  it('builds a right-padded batch with response and attention masks', () => {
    const batch = buildBatch([[1, 2], [3]], [[4], [5, 6, 7]], 0);
    assert.deepEqual(batch.ids.arraySync(), [[1, 2, 4, 0], [3, 5, 6, 7]]);
    assert.deepEqual(batch.responseMask.arraySync(), [[0, 0, 1, 0], [0, 1, 1, 1]]);
    assert.deepEqual(batch.attentionMask.arraySync(), [[1, 1, 1, 0], [1, 1, 1, 1]]);
    tf.dispose(batch);
  });

  it('sums the response tokens log-probabilities, as a brute-force computation does', () => {
    const prompts = [[1, 2, 3], [4], [5, 6]];
    const responses = [[7, 8], [9, 10, 11, 12], [13]];
    const batch = buildBatch(prompts, responses, 0);
    const { logps, counts } = sequenceLogProbs(model, batch);
    const full = tf.tidy(() => logits(model, batch.ids).arraySync());
    prompts.forEach((prompt, b) => {
      // Brute force: each sequence alone, unpadded, every response token scored from its prefix.
      const sequence = [...prompt, ...responses[b]];
      const alone = tf.tidy(() => logits(model, tf.tensor2d([sequence], undefined, 'int32')).arraySync()[0]);
      let expected = 0;
      for (let t = prompt.length; t < sequence.length; t++) expected += logSoftmax(alone[t - 1])[sequence[t]];
      assert.ok(Math.abs(logps.arraySync()[b] - expected) < 1e-4, `sequence ${b}: ${logps.arraySync()[b]} vs ${expected}`);
      assert.equal(counts.arraySync()[b], responses[b].length);
      // The padded batch's logits at real positions equal the unpadded ones.
      assert.ok(Math.abs(full[b][sequence.length - 1][0] - alone[sequence.length - 1][0]) < 1e-4);
    });
    tf.dispose([batch, logps, counts]);
  });

  it('gives per-token log-probabilities of the next token', () => {
    const ids = tf.tensor2d([[3, 1, 4, 1, 5]], undefined, 'int32');
    const perToken = tf.tidy(() => tokenLogProbs(model, { ids }).arraySync()[0]);
    const all = tf.tidy(() => logits(model, ids).arraySync()[0]);
    assert.equal(perToken.length, 4);
    [1, 4, 1, 5].forEach((target, t) => assert.ok(Math.abs(perToken[t] - logSoftmax(all[t])[target]) < 1e-5));
    ids.dispose();
  });

  it('has the gradient of log softmax at the target', () => {
    const x = tf.tensor2d([[0.3, -1.2, 2.0, 0.1], [5.0, 5.0, -3.0, 0.0], [-0.5, 0.25, 0.75, -2.0]]);
    const targets = tf.tensor1d([2, 0, 3], 'int32');
    const weights = tf.tensor1d([1.0, -0.5, 2.0]);
    const ours = tf.grad((l: tf.Tensor) => targetLogProbs(l as tf.Tensor2D, targets).mul(weights).sum())(x);
    const reference = tf.grad((l: tf.Tensor) => tf.logSoftmax(l).mul(tf.oneHot(targets, 4)).sum(1).mul(weights).sum())(x);
    const value = targetLogProbs(x, targets).arraySync();
    const expectedValue = x.arraySync().map((row, i) => logSoftmax(row)[[2, 0, 3][i]]);
    value.forEach((v, i) => assert.ok(Math.abs(v - expectedValue[i]) < 1e-6));
    const [a, b] = [ours.dataSync(), reference.dataSync()];
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-6, `${i}: ${v} vs ${b[i]}`));
    tf.dispose([x, targets, weights, ours, reference]);
  });
});
