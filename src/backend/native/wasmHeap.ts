/**
 * The internals of tfjs-backend-wasm 4.22.0 that native kernels use: where a tensor lives on
 * the wasm heap, and how outputs are allocated. Pinned to that version (see PINNED_WASM_VERSION).
 */
import type { TensorInfo } from '@tensorflow/tfjs';

export const PINNED_WASM_VERSION = '4.22.0';

export interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: string): TensorInfo;
  disposeData(dataId: object): boolean;
}

/** Byte offset of a tensor's data on the heap. */
export function offsetOf(backend: WasmBackend, tensor: TensorInfo): number {
  return backend.dataIdMap.get(tensor.dataId).memoryOffset;
}

/** The whole heap as bytes; read it after the last makeOutput, since allocation can grow (and replace) it. */
export function heapOf(backend: WasmBackend): Uint8Array {
  return backend.wasm.HEAPU8;
}
