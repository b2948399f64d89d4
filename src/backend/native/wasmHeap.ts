/**
 * The internals of tfjs-backend-wasm 4.22.0 that native kernels use: where a tensor lives on
 * the wasm heap, and how outputs are allocated. Pinned to that version (see PINNED_WASM_VERSION).
 */
import type { DataType, TensorInfo } from '@tensorflow/tfjs';
import { sizeOf, type KernelMemory } from './kernelMemory.ts';

export const PINNED_WASM_VERSION = '4.22.0';

/** Below this many elements the stock wasm kernels (compiled C++, no call across N-API) are as fast. */
const WASM_STOCK_BELOW = 4096;

export interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: string): TensorInfo;
  disposeData(dataId: object): boolean;
}

const BYTES: Partial<Record<DataType, number>> = { float32: 4, int32: 4, bool: 1 };

/** Byte offset of a tensor's data on the heap. */
export function offsetOf(backend: WasmBackend, tensor: TensorInfo): number {
  return backend.dataIdMap.get(tensor.dataId).memoryOffset;
}

/**
 * A tensor's bytes as a view of the heap. The view is taken from the heap as it is now: an
 * allocation that grows the heap afterwards detaches it (its length becomes 0), so a kernel
 * takes its views after its last allocation, and the addon refuses a detached one.
 */
function heapView(backend: WasmBackend, tensor: TensorInfo): Uint8Array {
  const bytes = BYTES[tensor.dtype];
  if (bytes === undefined) throw new Error(`native kernels: no ${tensor.dtype} tensors on the wasm heap`);
  const offset = offsetOf(backend, tensor);
  return backend.wasm.HEAPU8.subarray(offset, offset + sizeOf(tensor.shape) * bytes);
}

export function wasmMemory(backend: unknown): KernelMemory {
  const wasm = backend as WasmBackend;
  return {
    output: (shape, dtype) => wasm.makeOutput(shape, dtype),
    memory: (tensor) => heapView(wasm, tensor),
    dispose: (tensor) => void wasm.disposeData(tensor.dataId),
    stockBelow: WASM_STOCK_BELOW,
  };
}
