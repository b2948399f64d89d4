/**
 * The `native-cpu` backend: TensorFlow.js's cpu backend (tensors in ordinary memory, as
 * TypedArrays, so no 4 GB ceiling as on wasm) with the native kernels of ../native/ reading
 * and writing those TypedArrays in place through N-API. Every cpu kernel is registered for
 * it, then the native ones replace the stock kernels they cover (falling back to them for
 * the dtypes and shapes they do not take) and the fused kernels are added.
 *
 * Coverage, for the kernels a training step (SFT, DPO, PPO), generation and evaluation call.
 * Native: BatchMatMul, _FusedMatMul, Transpose, Slice, PadV2, Tile, Pack, Concat, SplitV,
 * GatherV2, UnsortedSegmentSum, Add, Sub, Multiply, RealDiv, Maximum, Minimum, AddN, Sum,
 * Mean, Max, Exp, Tanh, Log, Log1p, Square, Sqrt, Rsqrt, Reciprocal, Neg, Abs, Relu, Sigmoid,
 * Softplus, ZerosLike, OnesLike, and the fused kernels (LayerNorm, GELU, attention, target
 * log-probabilities, their gradients, Adam, RMSprop, the decode step, token sampling).
 * Left on the cpu backend's JavaScript kernels, and why that is fine: Reshape and Identity
 * (they share the input's memory by dataId: no data moves); Cast (token ids and masks,
 * (B, T) elements); Range, Greater, GreaterEqual, Less, LessEqual, LogicalAnd, Select,
 * ClipByValue, OneHot (PPO's clipping and masks, a few thousand elements). Measured with the
 * bench cases on the imdb.yaml model (bench/native/kernelTimes.ts; time on these / all kernels):
 * sft step 0.2%, dpo step 0.3%, generation 0.2%, ppo iteration under 1%. Evaluation runs the
 * same forward, log-probability and generation kernels. Below 1024 elements the element-wise
 * kernels also use the stock ones, which are as fast there as a call across N-API.
 */
import * as tf from '@tensorflow/tfjs';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { loadAddon } from '../native/addon.ts';
import { fusedKernelFuncs } from '../native/fused.ts';
import { NATIVE_CPU_KERNELS, NATIVE_KERNELS } from '../native/nativeKernels.ts';
import type { NativeKernels } from '../native/index.ts';
import { cpuMemory } from './cpuMemory.ts';
import { NativeCpuBackend } from './nativeCpuBackend.ts';

export const NATIVE_CPU = 'native-cpu';
/** The @tensorflow/tfjs-backend-cpu whose internals (TypedArrays under data.get(dataId).values) cpuMemory reads. */
export const PINNED_CPU_VERSION = '4.22.0';

/** Kernels that pass their input on by dataId (reference-counted), never as a view of its values. */
const SHARING_BY_ID = new Set(['Reshape', 'Identity']);

/**
 * A cpu kernel that marks its inputs' memory as seen before it runs: JavaScript kernels may
 * return views of an input's values (Slice does), so that memory is never reused.
 */
function exposing(config: tf.KernelConfig): tf.KernelFunc {
  if (SHARING_BY_ID.has(config.kernelName)) return config.kernelFunc;
  return (args) => {
    const backend = args.backend as unknown as NativeCpuBackend;
    for (const input of Object.values(args.inputs)) if (input) backend.pool.expose(backend.data.get(input.dataId)?.values);
    return config.kernelFunc(args);
  };
}

let registered: NativeKernels | undefined;

/**
 * Registers the `native-cpu` backend and its kernels (once; later calls return the first
 * result). Nothing is registered when the addon cannot be loaded or DPO_RUN_NATIVE=0; the
 * result says why.
 */
export function registerNativeCpuBackend(): NativeKernels {
  if (registered) return registered;
  if (process.env.DPO_RUN_NATIVE === '0') return { loaded: false, reason: 'disabled by DPO_RUN_NATIVE=0', kernels: [] };
  if (version_cpu !== PINNED_CPU_VERSION) {
    return { loaded: false, reason: `@tensorflow/tfjs-backend-cpu is ${version_cpu}; the native-cpu backend is written for ${PINNED_CPU_VERSION}`, kernels: [] };
  }
  const loaded = loadAddon();
  if (!loaded.addon) return { loaded: false, reason: loaded.reason, kernels: [] };
  tf.registerBackend(NATIVE_CPU, () => new NativeCpuBackend(), 0);
  const stock = new Map<string, tf.KernelFunc>();
  for (const config of tf.getKernelsForBackend('cpu')) {
    stock.set(config.kernelName, exposing(config));
    tf.registerKernel({ ...config, backendName: NATIVE_CPU, kernelFunc: stock.get(config.kernelName)! });
  }
  const kernels: string[] = [];
  for (const [kernelName, factory] of Object.entries({ ...NATIVE_KERNELS, ...NATIVE_CPU_KERNELS })) {
    const fallback = stock.get(kernelName);
    if (!fallback) continue;
    tf.unregisterKernel(kernelName, NATIVE_CPU);
    tf.registerKernel({ kernelName, backendName: NATIVE_CPU, kernelFunc: factory(loaded.addon, fallback, cpuMemory) });
    kernels.push(kernelName);
  }
  for (const [kernelName, kernelFunc] of fusedKernelFuncs(loaded.addon, cpuMemory)) {
    tf.registerKernel({ kernelName, backendName: NATIVE_CPU, kernelFunc });
    kernels.push(kernelName);
  }
  registered = { loaded: true, reason: loaded.addon.info(), kernels };
  return registered;
}
