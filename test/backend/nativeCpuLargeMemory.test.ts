/**
 * Tensors of the native-cpu backend live in ordinary memory: more than 4 GB of them at once
 * (the wasm heap's ceiling), one of them alone over 4 GB, all computed by native kernels.
 * Needs about 10 GB free; skipped, saying so, when the machine has less.
 */
import assert from 'node:assert/strict';
import { freemem } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { nativeCpuOrSkip, onBackend } from './compareBackends.ts';

const GIB = 2 ** 30;
const NEEDED = 12 * GIB;

describe('the native-cpu backend beyond 4 GB', function () {
  this.timeout(300000);
  before(function () {
    nativeCpuOrSkip(this);
    if (freemem() < NEEDED) {
      console.log(`      skipping: ${(freemem() / GIB).toFixed(1)} GiB free, the test needs ${NEEDED / GIB} GiB`);
      this.skip();
    }
  });

  it('holds more than 4 GB of tensors, one of them over 4 GB, and computes on all of them in place', async () => {
    await onBackend('native-cpu', () => {
      const n = GIB / 4; // 1 GiB of float32 each
      const a = tf.fill([n], 1);
      const b = a.mul(2); // native Multiply
      const c = b.add(a); // native Add: 3 everywhere
      const big = tf.tile(c.reshape([1, n]), [5, 1]); // native Tile: one 5 GiB tensor
      try {
        assert.ok(tf.memory().numBytes > 8 * GIB, `${tf.memory().numBytes} bytes held`);
        assert.equal(big.size * 4, 5 * GIB);
        const values = big.dataSync();
        for (const i of [0, n - 1, n, 2 ** 30 + 7, 4 * n + 12345, 5 * n - 1]) assert.equal(values[i], 3, `element ${i}`);
        const row = tf.slice(big, [4, n - 8], [1, 8]); // native Slice from past the first 4 GiB
        assert.deepEqual(Array.from(row.dataSync()), new Array(8).fill(3));
        row.dispose();
      } finally {
        tf.dispose([a, b, c, big]);
      }
    });
  });
});
