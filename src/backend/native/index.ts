/**
 * Native kernels for the TensorFlow.js `wasm` backend, computed in place on the wasm heap by
 * an optional C++ addon (the native-cpu backend, ../nativeCpu/, registers the same kernels
 * on ordinary memory): BatchMatMul, _FusedMatMul (BLIS GEMM) and Transpose, then the
 * element-wise work of a GPT training step (Exp, Tanh, Add, Sub, Multiply, RealDiv, Sum,
 * Mean) on both cores where it pays, and the row copies of GatherV2, SplitV and Concat; plus an
 * Identity that shares memory instead of copying (plain TypeScript, see identity.ts).
 * Each replaces the stock kernel and falls back to it for the dtypes and shapes it does
 * not handle. It also registers the fused kernels of ../fused/ (LayerNorm, GELU, target
 * log-probabilities and their gradients, the Adam and RMSprop updates), which the ops
 * there use when present. Call registerNativeKernels() once, after the wasm backend is set.
 * DPO_RUN_NATIVE=0 registers nothing.
 */
import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { guardWasmHeap } from '../kernels/heapGuard.ts';
import { loadAddon } from './addon.ts';
import { fusedKernelFuncs } from './fused.ts';
import { sharedIdentity } from './identity.ts';
import type { NativeKernelFactory } from './kernelMemory.ts';
import { NATIVE_KERNELS } from './nativeKernels.ts';
import { PINNED_WASM_VERSION, wasmMemory } from './wasmHeap.ts';

export interface NativeKernels {
  loaded: boolean;
  /** What was loaded (`BLIS 0.9.0 zen3, avx2 fma`), or why nothing was. */
  reason: string;
  /** Kernel names now served natively (stock ones replaced, then the fused ones added). */
  kernels: string[];
}

/** On wasm, Identity also shares memory instead of copying (see identity.ts); the cpu backend's already does. */
const FACTORIES: Record<string, NativeKernelFactory> = { ...NATIVE_KERNELS, Identity: sharedIdentity };

let registered: NativeKernels | undefined;
const stockConfigs = new Map<string, tf.KernelConfig>();
const addedKernels: string[] = [];

/** Registers the native kernels for 'wasm' (once; later calls return the first result). */
export function registerNativeKernels(): NativeKernels {
  if (registered) return registered;
  const skipped = (reason: string): NativeKernels => ({ loaded: false, reason, kernels: [] });
  if (process.env.DPO_RUN_NATIVE === '0') return skipped('disabled by DPO_RUN_NATIVE=0');
  if (version_wasm !== PINNED_WASM_VERSION) {
    return skipped(`@tensorflow/tfjs-backend-wasm is ${version_wasm}; the native kernels are written for ${PINNED_WASM_VERSION}`);
  }
  if (tf.getBackend() !== 'wasm') return skipped(`the backend is ${tf.getBackend()}, not wasm`);
  guardWasmHeap(tf.backend()); // (also done by registerWasmKernels; once per module)
  const loaded = loadAddon();
  if (!loaded.addon) return skipped(loaded.reason);
  const kernels: string[] = [];
  for (const [kernelName, factory] of Object.entries(FACTORIES)) {
    const stock = tf.getKernel(kernelName, 'wasm');
    if (!stock) continue;
    stockConfigs.set(kernelName, stock);
    tf.unregisterKernel(kernelName, 'wasm');
    // Keep the stock setupFunc: other stock kernels call the wasm functions it binds.
    tf.registerKernel({ ...stock, kernelFunc: factory(loaded.addon, stock.kernelFunc, wasmMemory) });
    kernels.push(kernelName);
  }
  for (const [kernelName, kernelFunc] of fusedKernelFuncs(loaded.addon, wasmMemory)) {
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
    addedKernels.push(kernelName);
    kernels.push(kernelName);
  }
  registered = { loaded: true, reason: loaded.addon.info(), kernels };
  return registered;
}

/** Puts the stock kernels back and removes the fused ones (for side-by-side comparisons in tests and benchmarks). */
export function unregisterNativeKernels(): void {
  for (const kernelName of addedKernels.splice(0)) tf.unregisterKernel(kernelName, 'wasm');
  for (const [kernelName, stock] of stockConfigs) {
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel(stock);
  }
  stockConfigs.clear();
  registered = undefined;
}
