/**
 * The native-cpu backend's reuse of disposed outputs' memory (src/backend/nativeCpu/bufferPool.ts):
 * a buffer comes back for the next output of its size class, never when its values were
 * handed out, and the pool keeps to its capacity.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { BufferPool } from '../../src/backend/nativeCpu/bufferPool.ts';
import { nativeCpuOrSkip, onBackend } from './compareBackends.ts';

const MB = 2 ** 20;

describe('the buffer pool of the native-cpu backend', () => {
  it('reuses a released buffer for the next request of its size class', () => {
    const pool = new BufferPool(64 * MB);
    const a = pool.take(MB + 100);
    assert.ok(a.byteLength >= MB + 100 && a.byteLength <= (MB + 100) * 1.125);
    pool.release(new Float32Array(a, 0, (MB + 100) / 4));
    assert.equal(pool.bytes, a.byteLength);
    assert.equal(pool.take(MB + 2000), a, 'a request of the same class');
    assert.equal(pool.bytes, 0);
    assert.notEqual(pool.take(4 * MB), a);
  });

  it('never reuses a buffer whose values were handed out, nor a small one, nor one it did not make', () => {
    const pool = new BufferPool(64 * MB);
    const seen = pool.take(2 * MB);
    pool.expose(new Uint8Array(seen));
    pool.release(new Uint8Array(seen));
    const small = pool.take(1000);
    pool.release(new Uint8Array(small));
    pool.release(new Float32Array(2 * MB / 4));
    assert.equal(pool.bytes, 0);
  });

  it('keeps at most its capacity, dropping the oldest buffers first', () => {
    const pool = new BufferPool(3 * MB);
    const buffers = [pool.take(MB), pool.take(MB), pool.take(MB), pool.take(MB)];
    buffers.forEach((b) => pool.release(new Uint8Array(b)));
    assert.equal(pool.bytes, 3 * MB);
    assert.notEqual(pool.take(MB), buffers[0], 'the oldest was dropped');
  });

  describe('on the backend', () => {
    before(function () {
      nativeCpuOrSkip(this);
    });

    it('leaves values read with dataSync untouched after their tensor is disposed and new outputs are made', async () => {
      await onBackend('native-cpu', () => {
        const x = tf.randomUniform([512, 512], -1, 1, 'float32', 1);
        const y = tf.exp(x); // a native output of 1 MB, pooled when disposed unless seen
        const values = y.dataSync();
        const copy = values.slice();
        y.dispose();
        for (let i = 0; i < 5; i++) tf.tidy(() => tf.exp(x.add(i)).dataSync());
        assert.deepEqual(values, copy);
        x.dispose();
      });
    });
  });
});
