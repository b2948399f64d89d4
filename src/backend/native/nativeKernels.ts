/**
 * The stock kernels the native ones replace, on either backend they serve (wasm,
 * native-cpu): the kernel name and the factory of its native version. Each falls back to
 * the stock kernel for the dtypes and shapes it does not take.
 */
import { nativeConcat, nativeGather, nativeSplit } from './copy.ts';
import { nativeBinary, nativeReduce, nativeUnary } from './elementwise.ts';
import type { NativeKernelFactory } from './kernelMemory.ts';
import { nativeBatchMatMul, nativeFusedMatMul } from './matMul.ts';
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
