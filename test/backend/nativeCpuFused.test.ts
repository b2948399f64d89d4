/**
 * The fused kernels on the native-cpu backend give what the composed ops give on the stock
 * cpu kernels (which have no fused kernels), in value and gradients; so do the optimizer
 * updates, the decode step and token sampling.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS, hasFusedKernel } from '../../src/backend/kernelNames.ts';
import { scaledDotProductAttention } from '../../src/model/ops/attention.ts';
import { gelu } from '../../src/model/ops/gelu.ts';
import { layerNorm } from '../../src/model/ops/layerNorm.ts';
import { targetLogProbs } from '../../src/model/ops/targetLogProbs.ts';
import { attentionBias } from '../../src/model/layers.ts';
import { adamUpdate, rmspropUpdate } from '../../src/training/optimizerUpdate.ts';
import { createModel, disposeModel, generate, resolveConfig } from '../../src/model/index.ts';
import { sampleToken, sampleTokens } from '../../src/model/sampling.ts';
import { Random } from '../../src/core/random.ts';
import { assertAllClose, assertMatchesCpu, nativeCpuOrSkip, onBackend, type Case } from './compareBackends.ts';

const f32 = (shape: number[], scale = 1) => ({ shape, scale });

function attentionCase(B: number, H: number, T: number, Tk: number, D: number, padded: boolean): Case {
  const mask = Array.from({ length: B * Tk }, (_, j) => (padded && Math.floor(j / Tk) % 2 === 1 && j % Tk === 0 ? 0 : 1));
  return {
    name: `attention [${B}, ${H}, ${T}, ${Tk}, ${D}]${padded ? ' padded' : ''}`,
    inputs: [f32([B, T, H, D], 2), f32([B, Tk, H, D], 2), f32([B, Tk, H, D])],
    f: (q, k, v) => scaledDotProductAttention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, attentionBias(T, Tk, tf.tensor2d(mask, [B, Tk])), 1 / Math.sqrt(D)),
  };
}

const CASES: Case[] = [
  ...[[7, 13], [300, 128], [2, 16, 768]].map((shape) => ({
    name: `layerNorm [${shape}]`, inputs: [f32(shape, 3), f32([shape[shape.length - 1]]), f32([shape[shape.length - 1]])],
    f: (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => layerNorm(x, g.add(1), b, 1e-5),
  })),
  ...[[7], [3, 1000], [64, 2048]].map((shape) => ({ name: `gelu [${shape}]`, inputs: [f32(shape, 3)], f: gelu })),
  ...[[5, 97], [64, 2048], [4, 50257]].map(([N, V]) => ({
    name: `targetLogProbs (${N}, ${V})`, inputs: [f32([N, V], 4), { shape: [N], dtype: 'int32' as const, intRange: V }],
    f: (l: tf.Tensor, t: tf.Tensor) => targetLogProbs(l as tf.Tensor2D, t as tf.Tensor1D),
  })),
  attentionCase(2, 3, 5, 5, 7, false), attentionCase(3, 2, 1, 9, 16, true), attentionCase(4, 4, 32, 32, 32, false), attentionCase(4, 2, 20, 20, 8, true),
];

describe('fused kernels on the native-cpu backend against the composed ops on the stock cpu kernels', function () {
  this.timeout(120000);
  before(function () {
    nativeCpuOrSkip(this);
  });

  it('are registered on native-cpu and not on cpu', async () => {
    await onBackend('native-cpu', () => Object.values(FUSED_KERNELS).forEach((name) => assert.ok(hasFusedKernel(name), name)));
    await onBackend('cpu', () => Object.values(FUSED_KERNELS).forEach((name) => assert.ok(!hasFusedKernel(name), name)));
  });

  for (const [i, c] of CASES.entries()) {
    it(`${c.name}: values and gradients`, async () => {
      await assertMatchesCpu(c, 100 + i);
    });
  }

  it('the Adam(W) and RMSprop updates match the composed formulas', async () => {
    const random = new Random(5);
    const values = (n: number, scale: number) => Float32Array.from({ length: n }, () => random.normal() * scale);
    for (const shape of [[3], [128, 384]]) {
      const n = shape.reduce((p, d) => p * d, 1);
      const [theta, grad, m, v] = [values(n, 1), values(n, 0.1), values(n, 0.01), values(n, 0.01).map(Math.abs)];
      const step = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, correction1: 1 - 0.9 ** 3, correction2: 1 - 0.999 ** 3 };
      const run = () => tf.tidy(() => {
        const t = (x: Float32Array) => tf.tensor(x, shape);
        const adam = adamUpdate(t(theta), t(grad), t(m), t(v), step);
        const rms = rmspropUpdate(t(theta), t(grad), t(v), { lr: 1e-3, rho: 0.99, eps: 1e-8 });
        return [adam.theta, adam.m, adam.v, rms.theta, rms.v].map((x) => x.dataSync().slice());
      });
      const got = await onBackend('native-cpu', run), want = await onBackend('cpu', run);
      got.forEach((g, i) => assertAllClose(g, want[i], `update ${i} [${shape}]`));
    }
  });

  it('generation (fused decode step, native sampling) gives the tokens of the composed path', async () => {
    const config = resolveConfig({ vocabSize: 53, contextLength: 24, nLayer: 2, nHead: 2, nEmbd: 16 });
    const tokens = (temperature: number) => async () => {
      const model = createModel(config, { seed: 3 });
      try {
        return await generate(model, [[1, 2, 3], [4], [5, 6, 7, 8, 9]], { temperature, maxNewTokens: 12, random: new Random(1) });
      } finally {
        disposeModel(model);
      }
    };
    for (const temperature of [0, 1]) {
      assert.deepEqual(await onBackend('native-cpu', tokens(temperature)), await onBackend('cpu', tokens(temperature)), `temperature ${temperature}`);
    }
  });

  it('sampleTokens picks the token sampleToken picks for every row, under every restriction', async () => {
    await onBackend('native-cpu', async () => {
      const random = new Random(11);
      for (const [B, V, ties] of [[3, 7, true], [32, 1000, false]] as const) {
        const values = Float32Array.from({ length: B * V }, () => (ties ? random.int(6) : random.normal() * 2));
        const logits = tf.tensor2d(values, [B, V]);
        for (const options of [{ temperature: 0 }, { temperature: 1 }, { temperature: 0.7, topK: 5 }, { temperature: 1.3, topP: 0.8 }]) {
          const uniforms = Array.from({ length: B }, () => random.next());
          const expected = uniforms.map((u, b) => sampleToken(values.subarray(b * V, (b + 1) * V), options, u));
          assert.deepEqual(await sampleTokens(logits, uniforms, options), expected, `${B}x${V} ${JSON.stringify(options)}`);
        }
        logits.dispose();
      }
    });
  });
});
