import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { withStockKernels, nativeKernelsOrSkip } from './compareWithStock.ts';

const same = (native: tf.Tensor, stock: tf.Tensor, what: string) => {
  assert.deepEqual(native.shape, stock.shape, `${what}: shape`);
  assert.equal(native.dtype, stock.dtype, `${what}: dtype`);
  assert.deepEqual(Array.from(native.dataSync()), Array.from(stock.dataSync()), what);
};

describe('native GatherV2, SplitV and Concat', () => {
  before(async function () {
    await nativeKernelsOrSkip(this);
  });

  it('gathers rows like the stock kernel along any axis, for float32 and int32', () => {
    tf.tidy(() => {
      const table = tf.randomNormal([50, 16]), ids = tf.randomUniform([4, 7], 0, 50, 'int32', 1);
      const cube = tf.randomUniform([3, 20, 5], -100, 100, 'int32', 2), picks = tf.tensor1d([19, 0, 0, 7], 'int32');
      const cases: [string, () => tf.Tensor][] = [
        ['embedding rows', () => tf.gather(table, ids)],
        ['columns', () => tf.gather(table, tf.tensor1d([15, 3, 3], 'int32'), 1)],
        ['middle axis of int32', () => tf.gather(cube, picks, 1)],
        ['no indices', () => tf.gather(table, tf.tensor1d([], 'int32'))],
      ];
      for (const [what, run] of cases) same(run(), withStockKernels(run), what);
    });
  });

  it('gives an embedding the same gradient as the stock kernel', () => {
    tf.tidy(() => {
      const table = tf.randomNormal([50, 16]), ids = tf.randomUniform([4, 7], 0, 50, 'int32', 3);
      const grad = tf.grad((t: tf.Tensor) => tf.gather(t, ids).square().sum());
      same(grad(table), withStockKernels(() => grad(table)), 'gradient');
    });
  });

  it('splits along any axis into equal or given sizes like the stock kernel', () => {
    tf.tidy(() => {
      const qkv = tf.randomNormal([64, 384]), x3 = tf.randomUniform([4, 9, 6], -9, 9, 'int32', 4);
      const cases: [string, () => tf.Tensor[]][] = [
        ['qkv thirds', () => tf.split(qkv, 3, 1)],
        ['rows', () => tf.split(qkv, [10, -1, 4], 0)],
        ['int32 middle axis', () => tf.split(x3, [2, 0, 7], 1)],
        ['last axis', () => tf.split(x3, 2, 2)],
      ];
      for (const [what, run] of cases) {
        const native = run(), stock = withStockKernels(run);
        native.forEach((part, i) => same(part, stock[i], `${what} part ${i}`));
      }
    });
  });

  it('concatenates along any axis like the stock kernel, skipping empty parts', () => {
    tf.tidy(() => {
      const a = tf.randomNormal([64, 128]), b = tf.randomNormal([64, 0]), c = tf.randomNormal([64, 256]);
      const i = tf.randomUniform([2, 3, 4], -9, 9, 'int32', 5), j = tf.randomUniform([2, 5, 4], -9, 9, 'int32', 6);
      const cases: [string, () => tf.Tensor][] = [
        ['gradient of the qkv split', () => tf.concat([a, b, c, a], 1)],
        ['rows', () => tf.concat([a, a], 0)],
        ['int32 middle axis', () => tf.concat([i, j, i], 1)],
        ['last axis', () => tf.concat([i, i], 2)],
      ];
      for (const [what, run] of cases) same(run(), withStockKernels(run), what);
    });
  });
});
