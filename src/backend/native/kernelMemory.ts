/**
 * How a native kernel reaches the memory of the backend it serves. The kernels in this
 * folder are written once against this interface; `wasmMemory` (./wasmHeap.ts) gives views
 * of the wasm heap, `cpuMemory` (../nativeCpu/cpuMemory.ts) the TypedArrays the native-cpu
 * backend keeps its tensors in. Either way the addon reads and writes them in place.
 */
import type { DataType, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { Memory, NativeAddon } from './addon.ts';

export interface KernelMemory {
  /** A new tensor of the backend for the kernel to fill (every element of it). */
  output(shape: number[], dtype: DataType): TensorInfo;
  /**
   * The memory of a tensor, exactly its elements. Take every one after the kernel's last
   * output(): on wasm an allocation can grow the heap, which detaches earlier views (the
   * addon then refuses them rather than write through a stale pointer).
   */
  memory(tensor: TensorInfo): Memory;
  /** Frees an output the kernel will not return. */
  dispose(tensor: TensorInfo): void;
  /** Below this many elements the backend's stock kernel is as fast as a native call. */
  readonly stockBelow: number;
}

/** The KernelMemory of the backend a kernel was called with. */
export type MemoryOf = (backend: unknown) => KernelMemory;

/** Makes a native kernel that replaces `stock` (still used for the cases it does not take). */
export type NativeKernelFactory = (addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf) => KernelFunc;

export const sizeOf = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);
