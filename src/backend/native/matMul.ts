/**
 * BatchMatMul and _FusedMatMul through the native GEMM: every transpose combination, batch
 * broadcasting, rank-1 bias and the activations the wasm backend fuses. Anything else
 * (other dtypes, PReLU, other bias shapes) goes to the stock kernel.
 */
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { NativeAddon } from './addon.ts';
import { batchPairs } from './batchPairs.ts';
import type { KernelMemory, MemoryOf } from './kernelMemory.ts';

/** The wasm backend's FusableActivation codes that the native epilogue implements. */
const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 4, sigmoid: 5, elu: 6 };

interface MatMulArgs {
  a: TensorInfo;
  b: TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
  bias?: TensorInfo;
  activation: number;
  leakyreluAlpha: number;
}

/** Runs the product natively, or returns undefined when the shapes do not fit together (the stock kernel then reports it). */
function nativeMatMul(addon: NativeAddon, memory: KernelMemory, args: MatMulArgs): TensorInfo | undefined {
  const { a, b, transposeA, transposeB, bias } = args;
  const ra = a.shape.length, rb = b.shape.length;
  if (ra < 2 || rb < 2) return undefined;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kB = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batches = batchPairs(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (k !== kB || batches === undefined) return undefined;
  const biasLength = bias ? bias.shape[0] : 0;
  if (bias && biasLength !== n && biasLength !== 1) return undefined;
  const out = memory.output([...batches.outBatch, m, n], 'float32');
  const count = batches.a.length;
  if (count === 0 || m === 0 || n === 0) return out;
  const offsets = new Float64Array(3 * count);
  for (let i = 0; i < count; i++) {
    offsets[3 * i] = batches.a[i] * m * k;
    offsets[3 * i + 1] = batches.b[i] * k * n;
    offsets[3 * i + 2] = i * m * n;
  }
  addon.matMul(memory.memory(a), memory.memory(b), memory.memory(out), offsets, m, n, k, transposeA, transposeB,
    bias ? memory.memory(bias) : null, args.activation, args.leakyreluAlpha);
  return out;
}

export function nativeBatchMatMul(addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf): KernelFunc {
  return (config) => {
    const { a, b } = config.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = config.attrs as NamedAttrMap & { transposeA: boolean; transposeB: boolean };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(config);
    return nativeMatMul(addon, memoryOf(config.backend), { a, b, transposeA, transposeB, activation: 0, leakyreluAlpha: 0 }) ?? stock(config);
  };
}

export function nativeFusedMatMul(addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf): KernelFunc {
  return (config) => {
    const { a, b, bias, preluActivationWeights } = config.inputs as Record<string, TensorInfo | undefined>;
    const attrs = config.attrs as NamedAttrMap & { transposeA: boolean; transposeB: boolean; activation: string; leakyreluAlpha?: number };
    const activation = ACTIVATIONS[attrs.activation];
    const plain = a?.dtype === 'float32' && b?.dtype === 'float32' && preluActivationWeights == null && activation !== undefined;
    const biasFits = bias == null || (bias.dtype === 'float32' && bias.shape.length === 1);
    if (!a || !b || !plain || !biasFits) return stock(config);
    const result = nativeMatMul(addon, memoryOf(config.backend), {
      a, b, transposeA: attrs.transposeA, transposeB: attrs.transposeB, bias: bias ?? undefined, activation, leakyreluAlpha: attrs.leakyreluAlpha ?? 0,
    });
    return result ?? stock(config);
  };
}
