/** Helpers for tests that run an op with the native kernels and again with the stock wasm kernels. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { registerNativeKernels, unregisterNativeKernels } from '../../src/backend/native/index.ts';

/** Runs fn on the stock wasm kernels, then puts the native kernels back. */
export function withStockKernels<T>(fn: () => T): T {
  unregisterNativeKernels();
  try {
    return fn();
  } finally {
    registerNativeKernels();
  }
}

/** Asserts |actual - expected| <= 1e-5 * max(1, max |expected|) elementwise, and equal shapes. */
export function assertClose(actual: tf.Tensor, expected: tf.Tensor, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const got = actual.dataSync(), want = expected.dataSync();
  let scale = 1, worst = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const diff = Math.abs(got[i] - want[i]);
    worst = Number.isNaN(diff) ? Infinity : Math.max(worst, diff);
  }
  assert.ok(worst <= 1e-5 * scale, `${what}: max difference ${worst} over scale ${scale}`);
}

/** For a suite's before hook: the wasm backend with the native kernels, or the suite skipped, saying why. */
export async function nativeKernelsOrSkip(context: Mocha.Context): Promise<void> {
  await onWasm();
  const native = registerNativeKernels();
  if (!native.loaded) {
    console.log(`      skipping native kernel tests: ${native.reason}`);
    context.skip();
  }
}

/**
 * The wasm backend, even when an earlier suite of the same mocha process chose another
 * (auto picks native-cpu where the addon is built): the native wasm kernels' tests need it.
 */
export async function onWasm(): Promise<void> {
  await initBackend('wasm');
  if (tf.getBackend() === 'wasm') return;
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') failed");
  await tf.ready();
}
