/**
 * Element-wise kernels: Exp and Tanh (AVX2 libmvec), Add, Sub, Multiply and RealDiv with
 * broadcasting, Sum and Mean over a block of axes, all float32. Small tensors (below the
 * backend's stockBelow), other dtypes and other layouts go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { NativeAddon } from './addon.ts';
import { broadcastLayout } from './broadcastLayout.ts';
import { sizeOf, type MemoryOf } from './kernelMemory.ts';

const UNARY_OPS = { Exp: 0, Tanh: 1 } as const;
const BINARY_OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;

export function nativeUnary(kernelName: keyof typeof UNARY_OPS) {
  return (addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf): KernelFunc => (config) => {
    const { x } = config.inputs as { x: TensorInfo };
    const n = sizeOf(x.shape);
    const memory = memoryOf(config.backend);
    if (x.dtype !== 'float32' || n < memory.stockBelow) return stock(config);
    const out = memory.output(x.shape, 'float32');
    addon.unary(UNARY_OPS[kernelName], memory.memory(x), memory.memory(out), n);
    return out;
  };
}

export function nativeBinary(kernelName: keyof typeof BINARY_OPS) {
  return (addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf): KernelFunc => (config) => {
    const { a, b } = config.inputs as { a: TensorInfo; b: TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(config);
    const layout = broadcastLayout(a.shape, b.shape);
    const memory = memoryOf(config.backend);
    if (!layout || sizeOf(layout.outShape) < memory.stockBelow) return stock(config);
    const out = memory.output(layout.outShape, 'float32');
    addon.binary(BINARY_OPS[kernelName], memory.memory(a), memory.memory(b), memory.memory(out),
      Float64Array.from(layout.shape), Float64Array.from(layout.a), Float64Array.from(layout.b));
    return out;
  };
}

/**
 * Sum or Mean over one block of neighbouring axes (the last axis, all axes, or the leading
 * axes that a broadcast gradient reduces), as (outer, reduce, inner) -> (outer, inner).
 */
export function nativeReduce(kernelName: 'Sum' | 'Mean') {
  return (addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf): KernelFunc => (config) => {
    const { x } = config.inputs as { x: TensorInfo };
    const { axis, keepDims } = config.attrs as NamedAttrMap & { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const block = axes.length > 0 && axes.every((d, i) => d === axes[0] + i);
    const memory = memoryOf(config.backend);
    const small = sizeOf(x.shape) > 0 && sizeOf(x.shape) < memory.stockBelow; // empty goes native: stock wasm leaves its output unset
    if (x.dtype !== 'float32' || !block || small) return stock(config);
    const first = axes[0], end = axes[axes.length - 1] + 1;
    const outer = sizeOf(x.shape.slice(0, first)), reduce = sizeOf(x.shape.slice(first, end)), inner = sizeOf(x.shape.slice(end));
    const outShape = keepDims ? x.shape.map((d, i) => (i >= first && i < end ? 1 : d)) : [...x.shape.slice(0, first), ...x.shape.slice(end)];
    const out = memory.output(outShape, 'float32');
    const scale = kernelName === 'Mean' ? 1 / reduce : 1;
    addon.sumBlocks(memory.memory(x), memory.memory(out), outer, reduce, inner, scale);
    return out;
  };
}
