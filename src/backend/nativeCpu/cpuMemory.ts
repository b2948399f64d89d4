/**
 * The KernelMemory of the native-cpu backend: a tensor's memory is the TypedArray the
 * backend keeps its values in (ordinary memory, as TensorFlow.js's cpu backend keeps them,
 * so no 4 GB heap ceiling), and an output is a TypedArray (new, or reused from a disposed
 * tensor) that the addon fills in place.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import type { Memory } from '../native/addon.ts';
import { sizeOf, type KernelMemory } from '../native/kernelMemory.ts';
import type { NativeCpuBackend } from './nativeCpuBackend.ts';

const ARRAY_TYPES = { float32: Float32Array, int32: Int32Array, bool: Uint8Array } as const;

/** Below this many elements the cpu backend's JavaScript kernels are about as fast as a call across N-API. */
const CPU_STOCK_BELOW = 1024;

export function cpuMemory(backend: unknown): KernelMemory {
  const cpu = backend as NativeCpuBackend;
  return {
    output: (shape, dtype) => cpu.makeTensorInfo(shape, dtype, cpu.allocate(dtype, sizeOf(shape))),
    memory: (tensor: TensorInfo): Memory => {
      const values = cpu.data.get(tensor.dataId)?.values;
      const Type = ARRAY_TYPES[tensor.dtype as keyof typeof ARRAY_TYPES];
      if (!Type || !ArrayBuffer.isView(values)) throw new Error(`native kernels: a ${tensor.dtype} tensor of the native-cpu backend has no TypedArray of values`);
      // The cpu backend's Cast to a wider type keeps the values it had (an int32 or bool tensor
      // cast to float32 still holds an Int32Array or Uint8Array): read those as a converted copy.
      return values instanceof Type ? values : Type.from(values as unknown as ArrayLike<number>);
    },
    dispose: (tensor) => void cpu.disposeData(tensor.dataId),
    stockBelow: CPU_STOCK_BELOW,
  };
}
