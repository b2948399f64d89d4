/**
 * The parts of the wasm backend's internals that our kernels use: the heap, tensor
 * ids registered with the C++ side, and the exported C functions. TensorFlow.js 4.22
 * does not expose these in its types, so they are declared here, in one place.
 */
import type { DataType, TensorInfo } from '@tensorflow/tfjs';

export interface WasmModule {
  HEAPU8: Uint8Array;
  cwrap(name: string, returnType: null | string, argTypes: string[]): (...args: unknown[]) => unknown;
  tfjs: {
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
  };
}

export interface WasmBackend {
  wasm: WasmModule;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  disposeData(dataId: object): boolean;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** The C-side id of a tensor. */
export function tensorId(backend: WasmBackend, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId).id;
}

/** The byte offset of a tensor's data on the wasm heap. */
export function heapOffset(backend: WasmBackend, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId).memoryOffset;
}

/**
 * Registers `size` float32s at `byteOffset` of the heap as a tensor of its own (a view
 * into memory another tensor owns) and returns its id. Release it with `releaseView`,
 * which forgets the id without freeing the memory.
 */
export function registerView(backend: WasmBackend, byteOffset: number, size: number): number {
  const internals = backend as unknown as { dataIdNextNumber: number };
  const id = internals.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(id, size, byteOffset);
  return id;
}

export function releaseView(backend: WasmBackend, id: number): void {
  backend.wasm.tfjs.disposeData(id);
}
