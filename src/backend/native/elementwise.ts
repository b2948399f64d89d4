/**
 * Element-wise kernels: unary maps (Exp, Tanh, Log and Log1p through AVX2 libmvec; the
 * others plain loops), Add, Sub, Multiply, RealDiv, Maximum and Minimum with broadcasting,
 * AddN, Sum and Mean over a block of axes, and UnsortedSegmentSum (the gradient of a
 * gather), all float32. Small tensors (below the backend's stockBelow), other dtypes and
 * other layouts go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { NativeAddon } from './addon.ts';
import { broadcastLayout } from './broadcastLayout.ts';
import { sizeOf, type MemoryOf } from './kernelMemory.ts';

/** The addon's unary op codes (native/src/elementwise.h). */
const UNARY_OPS = {
  Exp: 0, Tanh: 1, Square: 2, Neg: 3, Log: 4, Sqrt: 5, Rsqrt: 6, Sigmoid: 7, Softplus: 8, Abs: 9, Relu: 10, Log1p: 11, Reciprocal: 12,
} as const;
const BINARY_OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5 } as const;

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

/** x's shape as (outer, reduce, inner) around one block of neighbouring axes, and the output shape; undefined for other axes. */
function blockOf(x: TensorInfo, axis: number | number[], keepDims: boolean) {
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
  if (axes.length === 0 || !axes.every((d, i) => d === axes[0] + i)) return undefined;
  const first = axes[0], end = axes[axes.length - 1] + 1;
  const outShape = keepDims ? x.shape.map((d, i) => (i >= first && i < end ? 1 : d)) : [...x.shape.slice(0, first), ...x.shape.slice(end)];
  return { outer: sizeOf(x.shape.slice(0, first)), reduce: sizeOf(x.shape.slice(first, end)), inner: sizeOf(x.shape.slice(end)), outShape };
}

/**
 * Sum or Mean over one block of neighbouring axes (the last axis, all axes, or the leading
 * axes that a broadcast gradient reduces), as (outer, reduce, inner) -> (outer, inner).
 */
export function nativeReduce(kernelName: 'Sum' | 'Mean') {
  return (addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf): KernelFunc => (config) => {
    const { x } = config.inputs as { x: TensorInfo };
    const { axis, keepDims } = config.attrs as NamedAttrMap & { axis: number | number[]; keepDims: boolean };
    const memory = memoryOf(config.backend);
    const small = sizeOf(x.shape) > 0 && sizeOf(x.shape) < memory.stockBelow; // empty goes native: stock wasm leaves its output unset
    const block = x.dtype === 'float32' && !small ? blockOf(x, axis, keepDims) : undefined;
    if (!block) return stock(config);
    const out = memory.output(block.outShape, 'float32');
    const scale = kernelName === 'Mean' ? 1 / block.reduce : 1;
    addon.sumBlocks(memory.memory(x), memory.memory(out), block.outer, block.reduce, block.inner, scale);
    return out;
  };
}

/** Max over one block of neighbouring axes (the last axis of a softmax's logits), NaN propagating as in the cpu kernel. */
export function nativeMax(addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf): KernelFunc {
  return (config) => {
    const { x } = config.inputs as { x: TensorInfo };
    const { reductionIndices, keepDims } = config.attrs as NamedAttrMap & { reductionIndices: number | number[]; keepDims: boolean };
    const memory = memoryOf(config.backend);
    const block = x.dtype === 'float32' && sizeOf(x.shape) >= memory.stockBelow ? blockOf(x, reductionIndices, keepDims) : undefined;
    if (!block || block.reduce === 0) return stock(config);
    const out = memory.output(block.outShape, 'float32');
    addon.maxBlocks(memory.memory(x), memory.memory(out), block.outer, block.reduce, block.inner);
    return out;
  };
}

/** ZerosLike and OnesLike of float32 and int32 tensors: a fill. */
export function nativeFillLike(value: 0 | 1) {
  return (addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf): KernelFunc => (config) => {
    const { x } = config.inputs as { x: TensorInfo };
    const memory = memoryOf(config.backend);
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || sizeOf(x.shape) < memory.stockBelow) return stock(config);
    const out = memory.output(x.shape, x.dtype);
    const bits = value === 0 ? 0 : x.dtype === 'float32' ? 0x3f800000 : 1;
    addon.fill(memory.memory(out), bits, sizeOf(x.shape));
    return out;
  };
}

/** AddN of float32 tensors of one shape (the sum of a weight's gradient contributions). */
export function nativeAddN(addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf): KernelFunc {
  return (config) => {
    const parts = config.inputs as unknown as TensorInfo[];
    const memory = memoryOf(config.backend);
    const n = parts.length > 0 ? sizeOf(parts[0].shape) : 0;
    const same = parts.length > 0 && parts.every((p) => p.dtype === 'float32' && p.shape.join() === parts[0].shape.join());
    if (!same || n < memory.stockBelow) return stock(config);
    const out = memory.output(parts[0].shape, 'float32');
    addon.addN(parts.map((p) => memory.memory(p)), memory.memory(out), n);
    return out;
  };
}

/** UnsortedSegmentSum of float32 x over int32 ids that cover x's leading axes. */
export function nativeSegmentSum(addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf): KernelFunc {
  return (config) => {
    const { x, segmentIds } = config.inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const { numSegments } = config.attrs as NamedAttrMap & { numSegments: number };
    const leading = segmentIds.shape.every((d, i) => d === x.shape[i]);
    if (x.dtype !== 'float32' || segmentIds.dtype !== 'int32' || !leading) return stock(config);
    const innerShape = x.shape.slice(segmentIds.shape.length);
    const memory = memoryOf(config.backend);
    const out = memory.output([numSegments, ...innerShape], 'float32');
    addon.segmentSum(memory.memory(x), memory.memory(segmentIds), memory.memory(out), sizeOf(segmentIds.shape), sizeOf(innerShape), numSegments);
    return out;
  };
}
