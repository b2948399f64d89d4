import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { broadcastLayout } from '../../src/backend/native/broadcastLayout.ts';
import { assertClose, withStockKernels, nativeKernelsOrSkip } from './compareWithStock.ts';

const random = (shape: number[], seed: number, scale = 1) => tf.randomUniform(shape, -scale, scale, 'float32', seed);

/** (a, b) shape pairs: equal, scalar, bias-like, column-like, both sides broadcast, rank 5, small and empty. */
const BINARY_SHAPES: [number[], number[]][] = [
  [[64, 128], [64, 128]],
  [[64, 128], []],
  [[], [64, 128]],
  [[8, 64, 128], [128]],
  [[8, 64, 128], [8, 64, 1]],
  [[8, 1, 130], [1, 63, 1]],
  [[2, 3, 4, 5, 70], [3, 1, 5, 1]],
  [[16, 4, 64, 64], [64, 64]],
  [[1000003], [1]],
  [[3, 5], [5]],
  [[0, 128], [128]],
];

describe('native element-wise kernels', () => {
  before(async function () {
    await nativeKernelsOrSkip(this);
  });

  it('adds, subtracts, multiplies and divides like the stock kernels under every broadcast', () => {
    let seed = 1;
    const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [['add', tf.add], ['sub', tf.sub], ['mul', tf.mul], ['div', tf.div]];
    for (const [sa, sb] of BINARY_SHAPES) {
      for (const [name, op] of ops) {
        tf.tidy(() => {
          const a = random(sa, seed++), b = name === 'div' ? tf.add(random(sb, seed++), 2) : random(sb, seed++);
          assertClose(op(a, b), withStockKernels(() => op(a, b)), `${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
        });
      }
    }
  });

  it('leaves int32 arithmetic to the stock kernels', () => {
    tf.tidy(() => {
      const a = tf.range(0, 5000, 1, 'int32'), b = tf.scalar(3, 'int32');
      const sum = tf.add(a, b);
      assert.equal(sum.dtype, 'int32');
      assert.equal(sum.dataSync()[4999], 5002);
    });
  });

  it('computes exp and tanh within 1e-5 of the stock kernels, including extremes', () => {
    tf.tidy(() => {
      const x = tf.concat([random([100000], 3, 20), tf.tensor1d([0, -0, 1e-8, -1e-8, 88, -100, 30, -30, Infinity, -Infinity])]);
      for (const [name, op] of [['exp', tf.exp], ['tanh', tf.tanh]] as const) {
        const native = op(x), stock = withStockKernels(() => op(x));
        const got = native.dataSync(), want = stock.dataSync();
        for (let i = 0; i < want.length; i++) {
          const ok = got[i] === want[i] || Math.abs(got[i] - want[i]) <= 1e-5 * Math.max(Math.abs(want[i]), 1e-30);
          if (!ok) assert.fail(`${name}(${x.dataSync()[i]}) = ${got[i]}, stock ${want[i]}`);
        }
      }
    });
  });

  it('sums and averages a block of axes like the stock kernels, and other axes through them', () => {
    const cases: [number[], number | number[], boolean][] = [
      [[64, 2048], -1, false], [[8, 64, 128], [1, 2], true], [[8, 64, 128], 0, false], [[1024, 512], 0, true],
      [[8, 64, 128], [0, 1], false], [[4, 300, 70], 1, false], [[100000], 0, false], [[9, 7, 1000], [2], true],
      [[8, 64, 128], [0, 2], false], [[0, 5000], 1, false],
    ];
    cases.forEach(([shape, axis, keepDims], i) => tf.tidy(() => {
      const x = random(shape, 50 + i);
      assertClose(tf.sum(x, axis, keepDims), withStockKernels(() => tf.sum(x, axis, keepDims)), `sum ${shape} over ${axis}`);
      assertClose(tf.mean(x, axis, keepDims), withStockKernels(() => tf.mean(x, axis, keepDims)), `mean ${shape} over ${axis}`);
    }));
  });

  it('sums an empty axis to zeros, where the stock kernel leaves the output unset', () => {
    tf.tidy(() => {
      const x = tf.zeros([5000, 0]);
      assert.deepEqual(Array.from(new Set(tf.sum(x, 1).dataSync())), [0]);
      assert.ok(tf.mean(x, 1).dataSync().every(Number.isNaN));
    });
  });

  it('merges axes that both operands read contiguously', () => {
    assert.deepEqual(broadcastLayout([8, 64, 128], [128]), { outShape: [8, 64, 128], shape: [512, 128], a: [128, 1], b: [0, 1] });
    assert.deepEqual(broadcastLayout([2, 1, 3], [2, 5, 3]), { outShape: [2, 5, 3], shape: [2, 5, 3], a: [3, 0, 1], b: [15, 3, 1] });
    assert.deepEqual(broadcastLayout([], []), { outShape: [], shape: [1], a: [0], b: [0] });
    assert.equal(broadcastLayout([2, 3], [4, 3]), undefined);
  });
});
