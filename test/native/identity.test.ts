import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { nativeKernelsOrSkip } from './compareWithStock.ts';

describe('Identity sharing memory', () => {
  before(async function () {
    await nativeKernelsOrSkip(this);
  });

  it('keeps a clone readable after its source is disposed, and the source after the clone is', () => {
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const dataIds = backend.numDataIds();
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const y = x.clone();
    x.dispose();
    assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4]);
    const z = y.clone();
    y.dispose();
    assert.deepEqual(Array.from(z.dataSync()), [1, 2, 3, 4]);
    z.dispose();
    assert.equal(backend.numDataIds(), dataIds, 'the shared memory is freed with the last reference');
  });

  it('leaves a variable its value when the tensor it was made from is disposed or the variable is assigned', () => {
    const x = tf.tensor1d([5, 6, 7]);
    const v = tf.variable(tf.clone(x));
    x.dispose();
    assert.deepEqual(Array.from(v.dataSync()), [5, 6, 7]);
    const before = tf.clone(v);
    v.assign(tf.tensor1d([1, 1, 1]));
    assert.deepEqual(Array.from(before.dataSync()), [5, 6, 7]);
    tf.dispose([v, before]);
  });

  it('gives gradients through saved tensors as before, and strings to the stock kernel', () => {
    const x = tf.tensor1d([0.5, -1, 2]);
    const g = tf.grad((t: tf.Tensor) => tf.exp(t).mul(t).sum())(x); // saves inputs and outputs for backprop
    const want = [0.5, -1, 2].map((v) => Math.exp(v) * (1 + v));
    Array.from(g.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5));
    tf.tidy(() => assert.deepEqual(tf.clone(tf.tensor1d(['a', 'b'])).dataSync(), ['a', 'b']));
    tf.dispose([x, g]);
  });
});
