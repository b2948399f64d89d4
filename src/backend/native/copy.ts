/**
 * GatherV2, SplitV and Concat for 4-byte tensors (float32, int32): row copies where the
 * stock kernels index element by element. Gather with batch dimensions, other dtypes, or
 * an out-of-range index goes to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { NativeAddon } from './addon.ts';
import { sizeOf, type MemoryOf } from './kernelMemory.ts';

const fourBytes = (t: TensorInfo) => t.dtype === 'float32' || t.dtype === 'int32';

export function nativeGather(addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf): KernelFunc {
  return (config) => {
    const { x, indices } = config.inputs as { x: TensorInfo; indices: TensorInfo };
    const { axis, batchDims } = config.attrs as NamedAttrMap & { axis: number; batchDims: number };
    if (!fourBytes(x) || indices.dtype !== 'int32' || (batchDims ?? 0) !== 0) return stock(config);
    const [a] = tf.util.parseAxisParam(axis, x.shape);
    const outShape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
    const memory = memoryOf(config.backend);
    const out = memory.output(outShape, x.dtype);
    if (sizeOf(outShape) === 0) return out;
    const gathered = addon.gather(memory.memory(x), memory.memory(indices), memory.memory(out),
      sizeOf(x.shape.slice(0, a)), x.shape[a], sizeOf(x.shape.slice(a + 1)), sizeOf(indices.shape));
    if (gathered) return out;
    memory.dispose(out);
    return stock(config);
  };
}

export function nativeSplit(addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf): KernelFunc {
  return (config) => {
    const { x } = config.inputs as { x: TensorInfo };
    const { numOrSizeSplits, axis } = config.attrs as NamedAttrMap & { numOrSizeSplits: number | number[]; axis: number };
    if (!fourBytes(x)) return stock(config);
    const [a] = tf.util.parseAxisParam(axis, x.shape);
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, a);
    const memory = memoryOf(config.backend);
    const outs = sizes.map((size) => memory.output(x.shape.map((d, i) => (i === a ? size : d)), x.dtype));
    if (sizeOf(x.shape) === 0) return outs;
    addon.split(memory.memory(x), outs.map((o) => memory.memory(o)), Float64Array.from(sizes),
      sizeOf(x.shape.slice(0, a)), x.shape[a], sizeOf(x.shape.slice(a + 1)));
    return outs;
  };
}

export function nativeConcat(addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf): KernelFunc {
  return (config) => {
    const parts = config.inputs as unknown as TensorInfo[];
    const { axis } = config.attrs as NamedAttrMap & { axis: number };
    const dtype = parts[0]?.dtype;
    const rank = parts[0]?.shape.length ?? 0;
    if (parts.length < 2 || rank === 0 || !fourBytes(parts[0]) || parts.some((p) => p.dtype !== dtype || p.shape.length !== rank)) return stock(config);
    const [a] = tf.util.parseAxisParam(axis, parts[0].shape);
    const others = (p: TensorInfo) => p.shape.filter((_, i) => i !== a).join();
    if (parts.some((p) => others(p) !== others(parts[0]))) return stock(config); // let the stock kernel report it
    const outShape = parts[0].shape.map((d, i) => (i === a ? parts.reduce((t, p) => t + p.shape[a], 0) : d));
    const memory = memoryOf(config.backend);
    const out = memory.output(outShape, dtype);
    if (sizeOf(outShape) === 0) return out;
    const nonEmpty = parts.filter((p) => p.shape[a] > 0);
    addon.concat(nonEmpty.map((p) => memory.memory(p)), Float64Array.from(nonEmpty.map((p) => p.shape[a])), memory.memory(out),
      sizeOf(outShape.slice(0, a)), sizeOf(outShape.slice(a + 1)));
    return out;
  };
}
