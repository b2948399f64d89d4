import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { Random } from '../../src/core/random.ts';

/** Runs `f` on the cpu backend (TensorFlow.js's reference kernels) and returns its values. */
async function onCpu(f: () => tf.Tensor): Promise<Float32Array | Int32Array> {
  await tf.setBackend('cpu');
  try {
    return tf.tidy(f).dataSync() as Float32Array;
  } finally {
    await tf.setBackend('wasm');
  }
}

function onWasm(f: () => tf.Tensor): Float32Array {
  assert.equal(tf.getBackend(), 'wasm');
  return tf.tidy(f).dataSync() as Float32Array;
}

function randomValues(random: Random, size: number): Float32Array {
  return Float32Array.from({ length: size }, () => random.normal());
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance * scale, `index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('wasm kernels', () => {
  before(async () => {
    await initBackend('wasm');
  });

  describe('BatchMatMul', () => {
    const cases: { a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }[] = [
      { a: [5, 7], b: [7, 3], transposeA: false, transposeB: false },
      { a: [7, 5], b: [7, 3], transposeA: true, transposeB: false },
      { a: [5, 7], b: [3, 7], transposeA: false, transposeB: true },
      { a: [7, 5], b: [3, 7], transposeA: true, transposeB: true },
      { a: [4, 6, 9], b: [9, 11], transposeA: false, transposeB: false }, // (B,T,C) @ W
      { a: [3, 6, 9], b: [3, 9, 2], transposeA: false, transposeB: false },
      { a: [2, 3, 6, 8], b: [2, 3, 6, 8], transposeA: false, transposeB: true }, // q @ k^T
      { a: [2, 3, 6, 8], b: [2, 3, 6, 5], transposeA: true, transposeB: false },
      { a: [1, 5, 4], b: [3, 4, 6], transposeA: false, transposeB: false }, // broadcast a
      { a: [2, 3, 5, 4], b: [1, 1, 6, 4], transposeA: false, transposeB: true }, // rank-4 against one matrix
      { a: [2, 1, 13], b: [13, 1], transposeA: false, transposeB: false }, // odd sizes
      { a: [1, 1], b: [1, 1], transposeA: true, transposeB: true },
    ];
    for (const c of cases) {
      it(`matches the cpu backend for ${JSON.stringify(c.a)}${c.transposeA ? 'ᵀ' : ''} @ ${JSON.stringify(c.b)}${c.transposeB ? 'ᵀ' : ''}`, async () => {
        const random = new Random(c.a.length * 31 + c.b.reduce((x, y) => x * y, 1));
        const aValues = randomValues(random, c.a.reduce((x, y) => x * y, 1));
        const bValues = randomValues(random, c.b.reduce((x, y) => x * y, 1));
        const product = () => tf.matMul(tf.tensor(aValues, c.a), tf.tensor(bValues, c.b), c.transposeA, c.transposeB);
        assertClose(onWasm(product), await onCpu(product), 1e-5);
      });
    }

    it('matches the cpu backend for the gradient of a transposed batched product', async () => {
      const random = new Random(7);
      const aValues = randomValues(random, 2 * 4 * 6);
      const bValues = randomValues(random, 2 * 5 * 6);
      const grads = () => {
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, false, true).square().sum();
        const [da, db] = tf.grads(f)([tf.tensor(aValues, [2, 4, 6]), tf.tensor(bValues, [2, 5, 6])]);
        return tf.concat([da.flatten(), db.flatten()]);
      };
      assertClose(onWasm(grads), await onCpu(grads), 1e-4);
    });

    it('leaves the number of tensors unchanged', () => {
      const a = tf.randomNormal([2, 3, 4, 5]);
      const b = tf.randomNormal([2, 3, 6, 5]);
      const before = tf.memory().numTensors;
      tf.matMul(a, b, false, true).dispose();
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([a, b]);
    });
  });

  describe('UnsortedSegmentSum', () => {
    const cases = [
      { x: [6], ids: [0, 2, 2, 1, 0, 2], n: 3 },
      { x: [5, 4], ids: [3, 0, 3, 3, 1], n: 5 },
      { x: [4, 3, 2], ids: [1, 1, 0, 1], n: 2 },
    ];
    for (const c of cases) {
      it(`matches the cpu backend for x ${JSON.stringify(c.x)} and ${c.n} segments`, async () => {
        const values = randomValues(new Random(c.x.length), c.x.reduce((a, b) => a * b, 1));
        const sum = () => tf.unsortedSegmentSum(tf.tensor(values, c.x), tf.tensor(c.ids, undefined, 'int32'), c.n);
        assertClose(onWasm(sum), await onCpu(sum), 1e-6);
      });
    }

    it('gives the gradient of an embedding lookup', async () => {
      const table = randomValues(new Random(3), 10 * 4);
      const indices = [[1, 4, 1], [9, 0, 4]];
      const grad = () => {
        const g = tf.grad((t: tf.Tensor) => tf.gather(t, tf.tensor2d(indices, undefined, 'int32')).square().sum());
        return g(tf.tensor2d(table, [10, 4]));
      };
      assertClose(onWasm(grad), await onCpu(grad), 1e-6);
    });
  });
});
