/**
 * Kernels registered on top of a backend that lacks them or runs them slowly. Model code
 * never knows about these: it calls tf ops, and the backend picks the kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { batchMatMulConfig } from './batchMatMul.ts';
import { guardWasmHeap } from './heapGuard.ts';
import { unsortedSegmentSumConfig } from './unsortedSegmentSum.ts';

/** The kernels ours replaced (undefined: there was none), to put back for comparisons. */
const replaced = new Map<string, tf.KernelConfig | undefined>();

/**
 * Registers our wasm kernels (once): `UnsortedSegmentSum` (missing) and a `BatchMatMul`
 * that stays on XNNPACK's fast path; and guards the heap's allocations (./heapGuard.ts).
 * Call after the wasm backend is set.
 */
export function registerWasmKernels(): void {
  guardWasmHeap(tf.backend());
  if (replaced.size > 0) return;
  const stockBatchMatMul = tf.getKernel('BatchMatMul', 'wasm');
  if (!stockBatchMatMul) throw new Error('the wasm backend has no BatchMatMul kernel to build on');
  replaceKernel(batchMatMulConfig(stockBatchMatMul));
  replaceKernel(unsortedSegmentSumConfig);
}

/** Puts back what registerWasmKernels replaced (for side-by-side benchmarks). */
export function unregisterWasmKernels(): void {
  for (const [kernelName, stock] of replaced) {
    tf.unregisterKernel(kernelName, 'wasm');
    if (stock) tf.registerKernel(stock);
  }
  replaced.clear();
}

/** Registers `config` in place of the backend's own kernel of that name, if any. */
function replaceKernel(config: tf.KernelConfig): void {
  const stock = tf.getKernel(config.kernelName, config.backendName);
  replaced.set(config.kernelName, stock);
  if (stock) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}
