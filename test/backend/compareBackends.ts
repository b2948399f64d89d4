/**
 * Runs one computation on two TensorFlow.js backends and compares what comes out: for the
 * native-cpu backend against TensorFlow.js's own cpu kernels. Inputs are made from plain
 * arrays on each backend in turn, so that nothing is moved between them.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Random } from '../../src/core/random.ts';
import { registerNativeCpuBackend } from '../../src/backend/nativeCpu/index.ts';

export interface InputSpec {
  shape: number[];
  dtype?: 'float32' | 'int32';
  /** Values; default: normal(0, scale) floats from the case's seed, or ints in [0, intRange). */
  values?: ArrayLike<number>;
  scale?: number;
  /** Offset added to generated floats (keep a divisor or a log's input away from 0). */
  shift?: number;
  intRange?: number;
  /** Whether gradients are taken with respect to it (float32 only; default true for floats). */
  differentiable?: boolean;
}

export interface Case {
  name: string;
  inputs: InputSpec[];
  /** The computation; it returns one tensor (compared in value, and its gradients taken). */
  f: (...xs: tf.Tensor[]) => tf.Tensor;
  /** Relative tolerance (default 1e-5 of max(1, the largest expected magnitude)). */
  tolerance?: number;
  /** Compare the value only. */
  noGradients?: boolean;
}

/** Values of every input of a case, fixed by its position in the list. */
export function inputValues(c: Case, seed: number): (Float32Array | Int32Array)[] {
  const random = new Random(seed);
  return c.inputs.map((spec) => {
    const size = spec.shape.reduce((p, d) => p * d, 1);
    if (spec.dtype === 'int32') {
      return Int32Array.from(spec.values ?? Array.from({ length: size }, () => random.int(spec.intRange ?? 10)));
    }
    return Float32Array.from(spec.values ?? Array.from({ length: size }, () => random.normal() * (spec.scale ?? 1) + (spec.shift ?? 0)));
  });
}

/** The case's value and the gradients of sum(f * w) (w fixed random weights) on the current backend. */
export function evaluate(c: Case, values: (Float32Array | Int32Array)[]): Float32Array[] {
  return tf.tidy(() => {
    const inputs = c.inputs.map((spec, i) => tf.tensor(values[i], spec.shape, spec.dtype ?? 'float32'));
    const value = c.f(...inputs);
    const out = [value.dataSync().slice() as Float32Array];
    const differentiable = c.inputs.map((s, i) => ((s.dtype ?? 'float32') === 'float32' && s.differentiable !== false ? i : -1)).filter((i) => i >= 0);
    if (c.noGradients || differentiable.length === 0 || value.dtype !== 'float32') return out;
    const random = new Random(99);
    const weights = tf.tensor(Float32Array.from({ length: value.size }, () => random.normal()), value.shape);
    const grads = tf.grads((...xs: tf.Tensor[]) => {
      const all = inputs.map((t, i) => (differentiable.includes(i) ? xs[differentiable.indexOf(i)] : t));
      return c.f(...all).mul(weights).sum();
    })(differentiable.map((i) => inputs[i]));
    return [...out, ...grads.map((g) => g.dataSync().slice() as Float32Array)];
  });
}

/** Runs fn with `name` as the backend, then puts the previous backend back. */
export async function onBackend<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const previous = tf.getBackend();
  await tf.setBackend(name);
  try {
    return await fn();
  } finally {
    if (previous) await tf.setBackend(previous);
  }
}

/** Asserts |actual - expected| <= tolerance * max(1, max |expected|) elementwise (NaN matches NaN). */
export function assertAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tolerance = 1e-5): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 1, worst = 0, at = -1;
  for (let i = 0; i < expected.length; i++) if (Number.isFinite(expected[i])) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    if (Number.isNaN(expected[i]) && Number.isNaN(actual[i])) continue;
    if (expected[i] === actual[i]) continue;
    const diff = Math.abs(actual[i] - expected[i]);
    if (!(diff <= worst)) {
      worst = Number.isNaN(diff) ? Infinity : diff;
      at = i;
    }
  }
  assert.ok(worst <= tolerance * scale, `${what}: max difference ${worst} at ${at} (${actual[at]} vs ${expected[at]}) over scale ${scale}`);
}

/** Compares a case on native-cpu against the stock cpu kernels, in value and gradients. */
export async function assertMatchesCpu(c: Case, seed: number): Promise<void> {
  const values = inputValues(c, seed);
  const native = await onBackend('native-cpu', () => evaluate(c, values));
  const stock = await onBackend('cpu', () => evaluate(c, values));
  assert.equal(native.length, stock.length, `${c.name}: outputs`);
  native.forEach((got, i) => assertAllClose(got, stock[i], `${c.name} ${i === 0 ? 'value' : `gradient ${i}`}`, c.tolerance));
}

/** For a suite's before hook: the native-cpu backend registered, or the suite skipped, saying why. */
export function nativeCpuOrSkip(context: Mocha.Context): void {
  tf.env().set('PROD', true); // no banner from the stock cpu backend
  const native = registerNativeCpuBackend();
  if (!native.loaded) {
    console.log(`      skipping native-cpu tests: ${native.reason}`);
    context.skip();
  }
}
