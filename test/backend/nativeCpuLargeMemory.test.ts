/**
 * Tensors of the native-cpu backend live in ordinary memory: more than 4 GB of them at once
 * (the wasm heap's ceiling), one of them alone over 4 GB, with native kernels reading and
 * writing them. The big one is zeros, which the system maps lazily, so that the test
 * touches about 2 GB; it still needs the memory free, and is skipped, saying so, without it.
 */
import assert from 'node:assert/strict';
import { freemem } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { nativeCpuOrSkip, onBackend } from './compareBackends.ts';

const GIB = 2 ** 30;
const NEEDED = 8 * GIB;

describe('the native-cpu backend beyond 4 GB', function () {
  this.timeout(300000);
  before(function () {
    nativeCpuOrSkip(this);
    if (freemem() < NEEDED) {
      console.log(`      skipping: ${(freemem() / GIB).toFixed(1)} GiB free, the test needs ${NEEDED / GIB} GiB`);
      this.skip();
    }
  });

  it('holds more than 4 GB of tensors, one of them over 4 GB, and computes on them in place', async () => {
    await onBackend('native-cpu', () => {
      const n = GIB / 4; // 1 GiB of float32
      const big = tf.zeros([4 * n + n / 4]); // 4.25 GiB in one tensor
      const a = tf.fill([n], 1);
      const b = a.mul(2); // native Multiply: 1 GiB written
      try {
        assert.ok(tf.memory().numBytes > 6 * GIB, `${tf.memory().numBytes} bytes held`);
        assert.ok(big.size * 4 > 4 * GIB);
        const values = b.dataSync();
        for (const i of [0, n / 2, n - 1]) assert.equal(values[i], 2, `element ${i}`);
        // Native kernels reading past the big tensor's first 4 GiB, writing next to the others.
        const tail = tf.slice(big, [big.size - 6], [6]);
        const joined = tf.concat([tail, tf.slice(b, [n - 2], [2])]).add(1);
        assert.deepEqual(Array.from(joined.dataSync()), [1, 1, 1, 1, 1, 1, 3, 3]);
        tf.dispose([tail, joined]);
      } finally {
        tf.dispose([big, a, b]);
      }
    });
  });
});
