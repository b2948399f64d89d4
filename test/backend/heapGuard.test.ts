/**
 * The wasm heap's ceiling: filling the heap with tensors ends in an error that says the heap
 * is full (not a trap inside the allocator, nor memory written past the end), and the
 * backend still computes afterwards. Runs in its own process; needs about 5 GB free.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { freemem } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const GIB = 2 ** 30;

describe('the wasm heap at its 4 GB ceiling', function () {
  this.timeout(180000);

  it('refuses the tensor that does not fit, saying so, and keeps working', function () {
    if (freemem() < 5 * GIB) {
      console.log(`      skipping: ${(freemem() / GIB).toFixed(1)} GiB free, the test needs 5 GiB`);
      this.skip();
    }
    const script = `
      import * as tf from '@tensorflow/tfjs';
      import { initBackend } from './src/backend/index.ts';
      await initBackend('wasm');
      const held = [];
      let error;
      try {
        for (;;) held.push(tf.zeros([50 * 2 ** 20])); // 200 MB each
      } catch (e) {
        error = { name: e.constructor.name, message: e.message, hint: e.hint };
      }
      tf.dispose(held.splice(0, 4));
      const sum = Array.from(tf.tensor([1, 2, 3]).add(tf.ones([3])).dataSync());
      const big = tf.ones([10 * 2 ** 20]).mul(2).sum().dataSync()[0];
      console.log(JSON.stringify({ error, heldMb: (held.length + 4) * 200, sum, big }));`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, DPO_RUN_NATIVE: '0' } });
    assert.equal(result.status, 0, result.stderr.slice(-2000));
    const out = JSON.parse(result.stdout.trim().split('\n').pop()!);
    assert.equal(out.error.name, 'UserError');
    assert.match(out.error.message, /the wasm backend's heap is full/);
    assert.match(out.error.hint, /--backend native-cpu/);
    assert.ok(out.heldMb >= 3000, `only ${out.heldMb} MB held before the heap was full`);
    assert.deepEqual(out.sum, [2, 3, 4]);
    assert.equal(out.big, 2 * 10 * 2 ** 20);
  });
});
