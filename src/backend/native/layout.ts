/**
 * Kernels that lay elements out anew, as one strided copy each (4-byte elements: float32
 * and int32): Slice, PadV2 (a filled output, then the input copied into it), Tile and Pack.
 * The cpu backend's own versions index element by element through TensorBuffer, about a
 * microsecond an element (a GPT-2 training step's slices took seconds).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { NativeAddon } from './addon.ts';
import { sizeOf, type MemoryOf } from './kernelMemory.ts';

const fourBytes = (t: TensorInfo) => t.dtype === 'float32' || t.dtype === 'int32';

/** Row-major element strides of a shape. */
function denseStrides(shape: number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

const dot = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i], 0);

/** The 32 bits of `value` stored as `dtype`. */
function bitsOf(value: number, dtype: 'float32' | 'int32'): number {
  const word = new Uint32Array(1);
  (dtype === 'float32' ? new Float32Array(word.buffer) : new Int32Array(word.buffer))[0] = value;
  return word[0];
}

export function nativeSlice(addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf): KernelFunc {
  return (config) => {
    const { x } = config.inputs as { x: TensorInfo };
    const { begin, size } = config.attrs as NamedAttrMap & { begin: number | number[]; size: number | number[] };
    if (!fourBytes(x) || x.shape.length === 0) return stock(config);
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    tf.slice_util.assertParamsValid(x as tf.Tensor, start, extent);
    const memory = memoryOf(config.backend);
    const out = memory.output(extent, x.dtype);
    if (sizeOf(extent) === 0) return out;
    const strides = denseStrides(x.shape);
    addon.stridedCopy(memory.memory(x), memory.memory(out), Float64Array.from(extent), Float64Array.from(strides), dot(start, strides),
      Float64Array.from(denseStrides(extent)), 0);
    return out;
  };
}

export function nativePad(addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf): KernelFunc {
  return (config) => {
    const { x } = config.inputs as { x: TensorInfo };
    const { paddings, constantValue } = config.attrs as NamedAttrMap & { paddings: [number, number][]; constantValue: number };
    if (!fourBytes(x) || x.shape.length === 0 || paddings.some(([before, after]) => before < 0 || after < 0)) return stock(config);
    const outShape = x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
    const memory = memoryOf(config.backend);
    const out = memory.output(outShape, x.dtype);
    const target = memory.memory(out);
    addon.fill(target, bitsOf(constantValue, x.dtype as 'float32' | 'int32'), sizeOf(outShape));
    if (sizeOf(x.shape) === 0) return out;
    const outStrides = denseStrides(outShape);
    addon.stridedCopy(memory.memory(x), target, Float64Array.from(x.shape), Float64Array.from(denseStrides(x.shape)), 0,
      Float64Array.from(outStrides), dot(paddings.map(([before]) => before), outStrides));
    return out;
  };
}

/** Tile: the output seen as (reps[0], shape[0], reps[1], shape[1], ...), the input read with stride 0 over the repetitions. */
export function nativeTile(addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf): KernelFunc {
  return (config) => {
    const { x } = config.inputs as { x: TensorInfo };
    const { reps } = config.attrs as NamedAttrMap & { reps: number[] };
    if (!fourBytes(x) || x.shape.length === 0 || reps.length !== x.shape.length) return stock(config);
    const outShape = x.shape.map((d, i) => d * reps[i]);
    const memory = memoryOf(config.backend);
    const out = memory.output(outShape, x.dtype);
    if (sizeOf(outShape) === 0) return out;
    const xStrides = denseStrides(x.shape), outStrides = denseStrides(outShape);
    const shape = x.shape.flatMap((d, i) => [reps[i], d]);
    const readStrides = xStrides.flatMap((s) => [0, s]);
    const writeStrides = outStrides.flatMap((s, i) => [s * x.shape[i], s]);
    addon.stridedCopy(memory.memory(x), memory.memory(out), Float64Array.from(shape), Float64Array.from(readStrides), 0,
      Float64Array.from(writeStrides), 0);
    return out;
  };
}

/** Pack (tf.stack): a concatenation along a new axis. */
export function nativePack(addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf): KernelFunc {
  return (config) => {
    const parts = config.inputs as unknown as TensorInfo[];
    const { axis } = config.attrs as NamedAttrMap & { axis: number };
    const first = parts[0];
    if (!first || !fourBytes(first) || parts.some((p) => p.dtype !== first.dtype || p.shape.join() !== first.shape.join())) return stock(config);
    const a = axis < 0 ? axis + first.shape.length + 1 : axis;
    const outShape = [...first.shape.slice(0, a), parts.length, ...first.shape.slice(a)];
    const memory = memoryOf(config.backend);
    const out = memory.output(outShape, first.dtype);
    if (sizeOf(outShape) === 0) return out;
    addon.concat(parts.map((p) => memory.memory(p)), new Float64Array(parts.length).fill(1), memory.memory(out),
      sizeOf(first.shape.slice(0, a)), sizeOf(first.shape.slice(a)));
    return out;
  };
}
