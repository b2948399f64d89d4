import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { composedAttention, scaledDotProductAttention } from '../../src/model/ops/attention.ts';
import { initBackend } from '../../src/backend/index.ts';
import { composedGelu, gelu } from '../../src/model/ops/gelu.ts';
import { FUSED_KERNELS, hasFusedKernel } from '../../src/backend/kernelNames.ts';
import { composedLayerNorm, layerNorm } from '../../src/model/ops/layerNorm.ts';
import { adamUpdate, rmspropUpdate } from '../../src/training/optimizerUpdate.ts';
import { composedTargetLogProbs, targetLogProbs } from '../../src/model/ops/targetLogProbs.ts';
import { attentionBias } from '../../src/model/layers.ts';
import { assertClose, withStockKernels, nativeKernelsOrSkip } from './compareWithStock.ts';

const random = (shape: number[], seed: number, scale = 1) => tf.randomUniform(shape, -scale, scale, 'float32', seed);

/** Values and gradients of f(inputs) . w (a fixed random weighting) with respect to every float input. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], differentiable: number[]): tf.Tensor[] {
  const value = f(...inputs);
  const weights = random(value.shape, 99);
  const g = tf.grads((...xs: tf.Tensor[]) => {
    const all = inputs.map((t, i) => (differentiable.includes(i) ? xs[differentiable.indexOf(i)] : t));
    return f(...all).mul(weights).sum();
  });
  return [value, ...g(differentiable.map((i) => inputs[i]))];
}

/** Asserts the fused op (native kernels) and the composed one (stock kernels) agree in value and gradients. */
function assertFusedMatches(fused: (...xs: tf.Tensor[]) => tf.Tensor, composed: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], differentiable: number[], what: string) {
  tf.tidy(() => {
    const got = valueAndGrads(fused, inputs, differentiable);
    const want = withStockKernels(() => valueAndGrads(composed, inputs, differentiable));
    got.forEach((g, i) => assertClose(g, want[i], `${what} ${i === 0 ? 'value' : `gradient ${i}`}`));
  });
}

describe('fused native kernels', () => {
  before(async function () {
    await nativeKernelsOrSkip(this);
  });

  it('are registered, and removed with the other native kernels', () => {
    for (const name of Object.values(FUSED_KERNELS)) assert.ok(hasFusedKernel(name), name);
    withStockKernels(() => {
      for (const name of Object.values(FUSED_KERNELS)) assert.ok(!hasFusedKernel(name), name);
    });
  });

  it('LayerNorm matches the composed ops in value and gradients over many shapes', () => {
    // One row, odd widths, many rows (two threads), rank 3, and rows of very different scales.
    const shapes = [[1, 5], [7, 13], [3, 128], [300, 128], [4, 33, 130], [2, 16, 768]];
    shapes.forEach((shape, i) => {
      const C = shape[shape.length - 1];
      const x = random(shape, 10 + i, 1 + 10 * i).add(i), gain = random([C], 20 + i).add(1), bias = random([C], 30 + i);
      assertFusedMatches((a, g, b) => layerNorm(a, g, b, 1e-5), (a, g, b) => composedLayerNorm(a, g, b, 1e-5), [x, gain, bias], [0, 1, 2], `layerNorm [${shape}]`);
      tf.dispose([x, gain, bias]);
    });
  });

  it('GELU matches the composed ops in value and gradient over many sizes', () => {
    [[1], [7], [255], [257], [3, 1000], [64, 512 * 4]].forEach((shape, i) => {
      const x = random(shape, 40 + i, 4);
      assertFusedMatches(gelu, composedGelu, [x], [0], `gelu [${shape}]`);
      x.dispose();
    });
  });

  it('target log-probabilities match the composed ops in value and gradient', () => {
    [[1, 2], [5, 97], [33, 300], [256, 2048], [8, 50257]].forEach(([N, V], i) => {
      const logits = random([N, V], 50 + i, 8);
      const targets = tf.randomUniform([N], 0, V, 'int32', 60 + i);
      assertFusedMatches((l, t) => targetLogProbs(l as tf.Tensor2D, t as tf.Tensor1D), (l, t) => composedTargetLogProbs(l as tf.Tensor2D, t as tf.Tensor1D),
        [logits, targets], [0], `targetLogProbs (${N}, ${V})`);
      tf.dispose([logits, targets]);
    });
  });

  it('target log-probabilities reject a target outside the vocabulary, leaving nothing behind', () => {
    const logits = random([3, 10], 1), targets = tf.tensor1d([1, 10, 2], 'int32');
    const before = tf.memory().numTensors;
    assert.throws(() => targetLogProbs(logits as tf.Tensor2D, targets), /outside the vocabulary \[0, 10\)/);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([logits, targets]);
  });

  it('attention matches the composed ops in value and gradients: causal, cached keys, padded keys', () => {
    // [B, H, T, Tk, D, padded keys]: one query over a cache (generation), odd head sizes, a training-sized batch.
    const cases: [number, number, number, number, number, boolean][] = [
      [1, 1, 1, 1, 1, false], [2, 3, 5, 5, 7, false], [3, 2, 1, 9, 16, true], [2, 2, 4, 6, 13, true], [8, 4, 64, 64, 32, false], [4, 2, 20, 20, 8, true],
    ];
    cases.forEach(([B, H, T, Tk, D, padded], i) => {
      const q = random([B, T, H, D], 70 + i, 2), key = random([B, Tk, H, D], 80 + i, 2), value = random([B, Tk, H, D], 90 + i);
      // Padding hides the first key of every other row (left padding, as generation batches use).
      const mask = padded ? tf.tensor2d(Array.from({ length: B * Tk }, (_, j) => (Math.floor(j / Tk) % 2 === 1 && j % Tk === 0 ? 0 : 1)), [B, Tk]) : undefined;
      const bias = attentionBias(T, Tk, mask);
      const scale = 1 / Math.sqrt(D);
      assertFusedMatches((a, k, v) => scaledDotProductAttention(a as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, bias, scale),
        (a, k, v) => composedAttention(a as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, bias, scale), [q, key, value], [0, 1, 2],
        `attention [${B}, ${H}, ${T}, ${Tk}, ${D}]${padded ? ' padded' : ''}`);
      tf.dispose([q, key, value, bias, ...(mask ? [mask] : [])]);
    });
  });

  it('the Adam(W) and RMSprop updates match the composed formulas', () => {
    for (const shape of [[3], [128, 384], [2048, 128]]) {
      tf.tidy(() => {
        const theta = random(shape, 1), grad = random(shape, 2, 0.1), m = random(shape, 3, 0.01), v = random(shape, 4, 0.01).abs();
        for (const weightDecay of [0, 0.01]) {
          const step = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, correction1: 1 - 0.9 ** 3, correction2: 1 - 0.999 ** 3 };
          const got = adamUpdate(theta, grad, m, v, step);
          const want = withStockKernels(() => adamUpdate(theta, grad, m, v, step));
          for (const key of ['theta', 'm', 'v'] as const) assertClose(got[key], want[key], `adam ${key} [${shape}] wd ${weightDecay}`);
        }
        const got = rmspropUpdate(theta, grad, v, { lr: 1e-3, rho: 0.99, eps: 1e-8 });
        const want = withStockKernels(() => rmspropUpdate(theta, grad, v, { lr: 1e-3, rho: 0.99, eps: 1e-8 }));
        for (const key of ['theta', 'v'] as const) assertClose(got[key], want[key], `rmsprop ${key} [${shape}]`);
      });
    }
  });

  it('compute the same on one thread (DPO_RUN_NATIVE_THREADS=1) as on two', () => {
    // Large enough for every kernel below to split its work when two threads are allowed.
    const script = `
      import * as tf from '@tensorflow/tfjs';
      import { initBackend } from './src/backend/index.ts';
      import { gelu } from './src/model/ops/gelu.ts';
      import { layerNorm } from './src/model/ops/layerNorm.ts';
      await initBackend('wasm');
      const x = tf.randomUniform([512, 384], -3, 3, 'float32', 1);
      const g = tf.grads((a) => layerNorm(gelu(a), tf.ones([384]), tf.zeros([384]), 1e-5).square().sum());
      const values = Array.from(g([x])[0].dataSync().slice(0, 2000));
      const { readdirSync } = await import('node:fs');
      console.log(JSON.stringify({ values, threads: readdirSync('/proc/self/task').length }));`;
    const run = (threads: string | undefined) => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8', env: { ...process.env, DPO_RUN_NATIVE_THREADS: threads ?? '' },
    })) as { values: number[]; threads: number };
    const one = run('1'), two = run(undefined);
    assert.deepEqual(one.values, two.values);
    assert.equal(two.threads - one.threads, 1, 'the helper thread starts only when two threads are allowed');
  });
});
