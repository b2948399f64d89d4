import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { assertClose, withStockKernels, nativeKernelsOrSkip } from './compareWithStock.ts';

/** Every permutation of 0..rank-1. */
function permutations(rank: number): number[][] {
  if (rank === 0) return [[]];
  return permutations(rank - 1).flatMap((p) => Array.from({ length: rank }, (_, i) => [...p.slice(0, i), rank - 1, ...p.slice(i)]));
}

const CASES: [number[], number[][]][] = [
  [[3, 4], permutations(2)],
  [[2, 3, 4], permutations(3)],
  [[2, 3, 4, 5], permutations(4)],
  [[1, 5, 1, 7], permutations(4)],
  [[2, 70, 33, 17], [[0, 2, 1, 3], [3, 1, 2, 0], [0, 1, 3, 2]]],
  [[64, 128], [[1, 0]]],
  [[2, 3, 1, 4, 5], [[4, 3, 2, 1, 0], [0, 3, 1, 2, 4]]],
];

describe('native Transpose', () => {
  before(async function () {
    await nativeKernelsOrSkip(this);
  });

  it('matches the stock kernel for every permutation up to rank 4 and larger odd shapes', () => {
    let seed = 1;
    for (const [shape, perms] of CASES) {
      for (const perm of perms) {
        tf.tidy(() => {
          const x = tf.randomUniform(shape, -1, 1, 'float32', seed++);
          assertClose(tf.transpose(x, perm), withStockKernels(() => tf.transpose(x, perm)), `${shape} by ${perm}`);
        });
      }
    }
  });

  it('moves int32 values bit for bit', () => {
    tf.tidy(() => {
      const x = tf.randomUniform([3, 7, 5], -1e6, 1e6, 'int32', 9);
      const native = tf.transpose(x, [2, 0, 1]);
      const stock = withStockKernels(() => tf.transpose(x, [2, 0, 1]));
      assert.equal(native.dtype, 'int32');
      assert.deepEqual(Array.from(native.dataSync()), Array.from(stock.dataSync()));
    });
  });

  it('keeps empty tensors empty and leaves bool to the stock kernel', () => {
    tf.tidy(() => {
      assert.deepEqual(tf.transpose(tf.zeros([0, 3, 2]), [2, 0, 1]).shape, [2, 0, 3]);
      const mask = tf.tensor2d([[true, false, true]], [1, 3], 'bool');
      assert.deepEqual(Array.from(tf.transpose(mask).dataSync()), [1, 0, 1]);
    });
  });
});
