import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS, hasFusedKernel } from '../../src/backend/kernelNames.ts';
import { sampleToken, sampleTokens } from '../../src/model/sampling.ts';
import { Random } from '../../src/core/random.ts';
import { nativeKernelsOrSkip } from './compareWithStock.ts';

describe('native token sampling', () => {
  before(async function () {
    await nativeKernelsOrSkip(this);
  });

  it('picks the token sampleToken picks for every row, under every restriction', async () => {
    assert.ok(hasFusedKernel(FUSED_KERNELS.sampleTokens));
    const random = new Random(11);
    // Rows with ties (small integers) and without, and a vocabulary large enough for two threads.
    for (const [B, V, ties] of [[3, 7, true], [16, 300, false], [8, 2048, true], [32, 1000, false]] as const) {
      const values = Float32Array.from({ length: B * V }, () => (ties ? random.int(6) : random.normal() * 2));
      const logits = tf.tensor2d(values, [B, V]);
      for (const options of [{ temperature: 0 }, { temperature: 1 }, { temperature: 0.7, topK: 5 }, { temperature: 1.3, topP: 0.8 }, { temperature: 0.9, topK: 40, topP: 0.5 }]) {
        for (let repeat = 0; repeat < 5; repeat++) {
          const uniforms = Array.from({ length: B }, () => random.next());
          const expected = uniforms.map((u, b) => sampleToken(values.subarray(b * V, (b + 1) * V), options, u));
          assert.deepEqual(await sampleTokens(logits, uniforms, options), expected, `${B}x${V} ${JSON.stringify(options)}`);
        }
      }
      logits.dispose();
    }
  });
});
