/**
 * The stock kernels the native ones replace, on either backend they serve (wasm,
 * native-cpu): the kernel name and the factory of its native version. Each falls back to
 * the stock kernel for the dtypes and shapes it does not take.
 */
import { nativeConcat, nativeGather, nativeSplit } from './copy.ts';
import { nativeAddN, nativeBinary, nativeFillLike, nativeMax, nativeReduce, nativeSegmentSum, nativeUnary } from './elementwise.ts';
import type { NativeKernelFactory } from './kernelMemory.ts';
import { nativeBatchMatMul, nativeFusedMatMul } from './matMul.ts';
import { nativePack, nativePad, nativeSlice, nativeTile } from './layout.ts';
import { nativeTranspose } from './transpose.ts';

export const NATIVE_KERNELS: Record<string, NativeKernelFactory> = {
  BatchMatMul: nativeBatchMatMul,
  _FusedMatMul: nativeFusedMatMul,
  Transpose: nativeTranspose,
  Exp: nativeUnary('Exp'),
  Tanh: nativeUnary('Tanh'),
  Add: nativeBinary('Add'),
  Sub: nativeBinary('Sub'),
  Multiply: nativeBinary('Multiply'),
  RealDiv: nativeBinary('RealDiv'),
  Sum: nativeReduce('Sum'),
  Mean: nativeReduce('Mean'),
  GatherV2: nativeGather,
  SplitV: nativeSplit,
  Concat: nativeConcat,
};

/**
 * Added on the native-cpu backend only, where the stock kernels are JavaScript (slow for
 * these: Slice, PadV2 and UnsortedSegmentSum took seconds per GPT-2 step); the wasm
 * backend's stock C++ ones stay, so its results (and the golden recording) do not move.
 */
export const NATIVE_CPU_KERNELS: Record<string, NativeKernelFactory> = {
  Square: nativeUnary('Square'),
  Neg: nativeUnary('Neg'),
  Log: nativeUnary('Log'),
  Log1p: nativeUnary('Log1p'),
  Sqrt: nativeUnary('Sqrt'),
  Rsqrt: nativeUnary('Rsqrt'),
  Reciprocal: nativeUnary('Reciprocal'),
  Sigmoid: nativeUnary('Sigmoid'),
  Softplus: nativeUnary('Softplus'),
  Abs: nativeUnary('Abs'),
  Relu: nativeUnary('Relu'),
  Maximum: nativeBinary('Maximum'),
  Minimum: nativeBinary('Minimum'),
  AddN: nativeAddN,
  Max: nativeMax,
  ZerosLike: nativeFillLike(0),
  OnesLike: nativeFillLike(1),
  UnsortedSegmentSum: nativeSegmentSum,
  Slice: nativeSlice,
  PadV2: nativePad,
  Tile: nativeTile,
  Pack: nativePack,
};
