/**
 * Element-wise kernels on the wasm heap: Exp and Tanh (AVX2 libmvec), Add, Sub, Multiply
 * and RealDiv with broadcasting, Sum and Mean over a block of axes, all float32. Small tensors, other dtypes and other layouts go to the stock kernel, whose
 * per-call cost is lower for a few thousand elements.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { NativeAddon } from './addon.ts';
import { broadcastLayout } from './broadcastLayout.ts';
import { heapOf, offsetOf, type WasmBackend } from './wasmHeap.ts';

/** Below this many output elements the stock kernel is as fast. */
const MIN_ELEMENTS = 4096;

const UNARY_OPS = { Exp: 0, Tanh: 1 } as const;
const BINARY_OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;

const sizeOf = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

export function nativeUnary(kernelName: keyof typeof UNARY_OPS) {
  return (addon: NativeAddon, stock: KernelFunc): KernelFunc => (config) => {
    const { x } = config.inputs as { x: TensorInfo };
    const n = sizeOf(x.shape);
    if (x.dtype !== 'float32' || n < MIN_ELEMENTS) return stock(config);
    const backend = config.backend as unknown as WasmBackend;
    const out = backend.makeOutput(x.shape, 'float32');
    addon.unary(heapOf(backend), UNARY_OPS[kernelName], offsetOf(backend, x), offsetOf(backend, out), n);
    return out;
  };
}

export function nativeBinary(kernelName: keyof typeof BINARY_OPS) {
  return (addon: NativeAddon, stock: KernelFunc): KernelFunc => (config) => {
    const { a, b } = config.inputs as { a: TensorInfo; b: TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(config);
    const layout = broadcastLayout(a.shape, b.shape);
    if (!layout || sizeOf(layout.outShape) < MIN_ELEMENTS) return stock(config);
    const backend = config.backend as unknown as WasmBackend;
    const out = backend.makeOutput(layout.outShape, 'float32');
    addon.binary(heapOf(backend), BINARY_OPS[kernelName], offsetOf(backend, a), offsetOf(backend, b), offsetOf(backend, out),
      Float64Array.from(layout.shape), Float64Array.from(layout.a), Float64Array.from(layout.b));
    return out;
  };
}

/**
 * Sum or Mean over one block of neighbouring axes (the last axis, all axes, or the leading
 * axes that a broadcast gradient reduces), as (outer, reduce, inner) -> (outer, inner).
 */
export function nativeReduce(kernelName: 'Sum' | 'Mean') {
  return (addon: NativeAddon, stock: KernelFunc): KernelFunc => (config) => {
    const { x } = config.inputs as { x: TensorInfo };
    const { axis, keepDims } = config.attrs as NamedAttrMap & { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const block = axes.length > 0 && axes.every((d, i) => d === axes[0] + i);
    const small = sizeOf(x.shape) > 0 && sizeOf(x.shape) < MIN_ELEMENTS; // empty goes native: stock leaves its output unset
    if (x.dtype !== 'float32' || !block || small) return stock(config);
    const first = axes[0], end = axes[axes.length - 1] + 1;
    const outer = sizeOf(x.shape.slice(0, first)), reduce = sizeOf(x.shape.slice(first, end)), inner = sizeOf(x.shape.slice(end));
    const outShape = keepDims ? x.shape.map((d, i) => (i >= first && i < end ? 1 : d)) : [...x.shape.slice(0, first), ...x.shape.slice(end)];
    const backend = config.backend as unknown as WasmBackend;
    const out = backend.makeOutput(outShape, 'float32');
    const scale = kernelName === 'Mean' ? 1 / reduce : 1;
    addon.sumBlocks(heapOf(backend), offsetOf(backend, x), offsetOf(backend, out), outer, reduce, inner, scale);
    return out;
  };
}
