/**
 * Every kernel the native-cpu backend registers natively gives what TensorFlow.js's own cpu
 * kernels give, in value and in gradient (through whatever kernels the gradient uses), on
 * shapes large enough for the native path (and small ones, which fall back).
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { registerNativeCpuBackend } from '../../src/backend/nativeCpu/index.ts';
import { assertMatchesCpu, evaluate, inputValues, nativeCpuOrSkip, onBackend, type Case } from './compareBackends.ts';

const f32 = (shape: number[], extra: Partial<Case['inputs'][number]> = {}) => ({ shape, ...extra });
const positive = (shape: number[]) => f32(shape, { scale: 0.5, shift: 3 });
const ids = (shape: number[], range: number) => ({ shape, dtype: 'int32' as const, intRange: range });

const matMuls: Case[] = [
  { name: 'matMul', inputs: [f32([37, 65]), f32([65, 29])], f: (a, b) => tf.matMul(a, b) },
  { name: 'matMul a^T b^T', inputs: [f32([65, 37]), f32([29, 65])], f: (a, b) => tf.matMul(a, b, true, true) },
  // TensorFlow.js 4.22's cpu BatchMatMul broadcasts a batch of 1 only, and its gradient does not reduce it: the value only.
  { name: 'matMul batched, broadcast', inputs: [f32([1, 17, 33]), f32([4, 33, 9])], f: (a, b) => tf.matMul(a, b), noGradients: true },
  { name: 'matMul a b^T batched', inputs: [f32([8, 64, 32]), f32([8, 48, 32])], f: (a, b) => tf.matMul(a, b, false, true) },
  { name: 'fused matMul bias relu', inputs: [f32([40, 64]), f32([64, 96]), f32([96])], f: (a, b, bias) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation: 'relu' }) },
  { name: 'fused matMul b^T bias', inputs: [f32([40, 64]), f32([96, 64]), f32([96])], f: (a, b, bias) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, transposeB: true }) },
];

const unary: Case[] = [
  ['exp', tf.exp], ['tanh', tf.tanh], ['square', tf.square], ['neg', tf.neg], ['abs', tf.abs], ['relu', tf.relu],
  ['sigmoid', tf.sigmoid], ['softplus', tf.softplus],
].flatMap(([name, op]) => [[64, 80], [7, 9]].map((shape) => ({ name: `${name} [${shape}]`, inputs: [f32(shape, { scale: 3 })], f: op as Case['f'] })));
const positiveUnary: Case[] = [['log', tf.log], ['log1p', tf.log1p], ['sqrt', tf.sqrt], ['rsqrt', tf.rsqrt], ['reciprocal', tf.reciprocal]]
  .map(([name, op]) => ({ name: name as string, inputs: [positive([64, 80])], f: op as Case['f'] }));
const extremes: Case[] = [
  { name: 'softplus and sigmoid far from 0', inputs: [f32([4096], { values: Array.from({ length: 4096 }, (_, i) => (i - 2048) / 40) })], f: (x) => tf.softplus(x).add(tf.sigmoid(x)) },
];

const BROADCASTS: [number[], number[]][] = [[[32, 64], [32, 64]], [[8, 32, 64], [64]], [[8, 32, 64], [8, 32, 1]], [[8, 1, 65], [1, 33, 1]], [[3, 5], [5]]];
const binary: Case[] = [['add', tf.add], ['sub', tf.sub], ['mul', tf.mul], ['div', tf.div], ['maximum', tf.maximum], ['minimum', tf.minimum]]
  .flatMap(([name, op]) => BROADCASTS.map(([sa, sb]) => ({
    name: `${name} [${sa}] [${sb}]`, inputs: [f32(sa), name === 'div' ? positive(sb) : f32(sb)], f: op as Case['f'],
    // TensorFlow.js 4.22's Maximum and Minimum gradients do not reduce a broadcast operand: the value only.
    noGradients: (name === 'maximum' || name === 'minimum') && sa.join() !== sb.join(),
  })));

const reductions: Case[] = [
  { name: 'sum last axis', inputs: [f32([64, 96])], f: (x) => tf.sum(x, -1) },
  { name: 'sum leading axes', inputs: [f32([4, 32, 96])], f: (x) => tf.sum(x, [0, 1]) },
  { name: 'sum all', inputs: [f32([64, 96])], f: (x) => tf.sum(x) },
  { name: 'mean middle axis keepDims', inputs: [f32([8, 64, 12])], f: (x) => tf.mean(x, 1, true) },
  { name: 'max last axis (and its gradient)', inputs: [f32([64, 96])], f: (x) => tf.max(x, -1) },
  { name: 'max middle axis keepDims', inputs: [f32([8, 64, 12])], f: (x) => tf.max(x, 1, true) },
  { name: 'max with NaN', inputs: [f32([32, 64], { values: Array.from({ length: 2048 }, (_, i) => (i % 700 === 5 ? NaN : Math.sin(i))) })], f: (x) => tf.max(x, -1), noGradients: true },
  { name: 'zerosLike and onesLike', inputs: [f32([40, 64])], f: (x) => tf.zerosLike(x).add(tf.onesLike(x).mul(3)).add(x), noGradients: true },
  { name: 'addN', inputs: [f32([48, 64]), f32([48, 64]), f32([48, 64])], f: (a, b, c) => tf.addN([a, b, c]) },
];

const layout: Case[] = [
  { name: 'transpose 3-d', inputs: [f32([8, 24, 16])], f: (x) => tf.transpose(x, [2, 0, 1]) },
  { name: 'transpose identity', inputs: [f32([48, 32])], f: (x) => tf.transpose(x, [0, 1]) },
  { name: 'transpose int32', inputs: [ids([30, 40], 1000)], f: (x) => tf.transpose(x).cast('float32') },
  { name: 'slice', inputs: [f32([16, 48, 32])], f: (x) => tf.slice(x, [1, 2, 0], [14, 40, 31]) },
  { name: 'slice int32', inputs: [ids([16, 48], 1000)], f: (x) => tf.slice(x, [0, 1], [16, 47]).cast('float32') },
  { name: 'pad', inputs: [f32([16, 40, 8])], f: (x) => tf.pad(x, [[0, 0], [3, 5], [1, 0]], 0.5) },
  { name: 'tile', inputs: [f32([4, 16, 8])], f: (x) => tf.tile(x, [2, 3, 1]) },
  { name: 'stack', inputs: [f32([32, 40]), f32([32, 40])], f: (a, b) => tf.stack([a, b], 1) },
  { name: 'concat', inputs: [f32([32, 40]), f32([32, 24])], f: (a, b) => tf.concat([a, b], 1) },
  { name: 'split', inputs: [f32([32, 96])], f: (x) => { const [a, b, c] = tf.split(x, [16, 48, 32], 1); return tf.concat([c, a, b.mul(2)], 1); } },
  { name: 'gather rows (and its gradient, UnsortedSegmentSum)', inputs: [f32([300, 64]), ids([40], 300)], f: (x, i) => tf.gather(x, i) },
  { name: 'gather axis 1', inputs: [f32([8, 200, 16]), ids([5, 6], 200)], f: (x, i) => tf.gather(x, i, 1) },
  { name: 'unsortedSegmentSum', inputs: [f32([500, 32]), ids([500], 40)], f: (x, s) => tf.unsortedSegmentSum(x, s as tf.Tensor1D, 40) },
];

const CASES = [...matMuls, ...unary, ...positiveUnary, ...extremes, ...binary, ...reductions, ...layout];

describe('the native-cpu backend against the stock cpu kernels', function () {
  this.timeout(120000);
  before(function () {
    nativeCpuOrSkip(this);
  });

  for (const [i, c] of CASES.entries()) {
    it(`${c.name}: values and gradients`, async () => {
      await assertMatchesCpu(c, i + 1);
    });
  }

  it('runs a native kernel for every stock kernel it replaces, in the cases above', async () => {
    const seen = new Set<string>();
    for (const [i, c] of CASES.entries()) {
      const values = inputValues(c, i + 1);
      const profile = await onBackend('native-cpu', () => tf.profile(() => void evaluate(c, values)));
      profile.kernelNames.forEach((name) => seen.add(name));
    }
    const replaced = registerNativeCpuBackend().kernels.filter((name) => !name.startsWith('Dpo'));
    assert.deepEqual(replaced.filter((name) => !seen.has(name)), []);
  });

  it('has every kernel of the cpu backend', () => {
    const missing = tf.getKernelsForBackend('cpu').map((k) => k.kernelName).filter((name) => !tf.getKernel(name, 'native-cpu'));
    assert.deepEqual(missing, []);
  });
});
