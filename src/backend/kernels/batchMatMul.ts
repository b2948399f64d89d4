/**
 * A `BatchMatMul` for the wasm backend that keeps every product on XNNPACK's fast path.
 *
 * The stock kernel sends only the plain case (no transposed operand, a batch of 1) to
 * XNNPACK and runs everything else (the backward pass, `q @ k^T`, the tied output head,
 * batched attention) through a scalar loop about 20 times slower. This one materialises
 * a transposed operand with the wasm `Transpose` kernel, then computes the product as
 * plain 2-D calls of the stock C function: one call when `b` has no batch (its batch is
 * folded into the rows of `a`), otherwise one call per batch entry on views of the same
 * heap memory. Batch dimensions broadcast as in `tf.matMul`. Tiny batched products
 * (single-token attention) stay on the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { heapOffset, registerView, releaseView, tensorId, type WasmBackend } from './wasmBackend.ts';

type WasmMatMul = (
  aId: number, aShape: Uint8Array, aRank: number,
  bId: number, bShape: Uint8Array, bRank: number,
  transposeA: boolean, transposeB: boolean, outId: number,
) => void;

const FLOAT_BYTES = 4;
/**
 * Batched products smaller than this (multiply-adds per batch entry) stay on the stock
 * kernel: creating an XNNPACK operator per entry costs more than the scalar loop there
 * (single-token attention while generating).
 */
const SMALL_PRODUCT = 1 << 14;

/** Returns the replacement kernel; `stock` still serves non-float32 inputs. */
export function batchMatMulConfig(stock: KernelConfig): KernelConfig {
  let wasmMatMul: WasmMatMul | undefined;
  const kernelFunc = (args: {
    inputs: { a: TensorInfo; b: TensorInfo };
    backend: WasmBackend;
    attrs: { transposeA: boolean; transposeB: boolean };
  }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    if (inputs.a.dtype !== 'float32' || inputs.b.dtype !== 'float32' || isSmallBatched(inputs.a, inputs.b, attrs)) {
      return stock.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    wasmMatMul ??= backend.wasm.cwrap('BatchMatMul', null, [
      'number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number',
    ]) as WasmMatMul;
    const a = attrs.transposeA ? transposeLastTwo(backend, inputs.a) : inputs.a;
    const b = attrs.transposeB ? transposeLastTwo(backend, inputs.b) : inputs.b;
    try {
      return multiply(backend, wasmMatMul, a, b);
    } finally {
      if (a !== inputs.a) backend.disposeData(a.dataId);
      if (b !== inputs.b) backend.disposeData(b.dataId);
    }
  };
  return { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}

/** a (...batchA, M, K) @ b (...batchB, K, N) -> (...broadcast, M, N), no transposes. */
function multiply(backend: WasmBackend, wasmMatMul: WasmMatMul, a: TensorInfo, b: TensorInfo): TensorInfo {
  const [M, K] = a.shape.slice(-2);
  const [KB, N] = b.shape.slice(-2);
  if (K !== KB) {
    throw new Error(`Error in matMul: inner shapes (${K}) and (${KB}) of Tensors with shapes ${a.shape} and ${b.shape} must match.`);
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = tf.backend_util.assertAndGetBroadcastShape(batchA, batchB);
  const out = backend.makeOutput([...batch, M, N], 'float32');
  const batchSize = sizeOf(batch);
  if (batchSize * M * N === 0) return out;
  if (K === 0) {
    backend.typedArrayFromHeap(out).fill(0);
    return out;
  }
  const call = (aId: number, aRows: number, bId: number, outId: number) =>
    wasmMatMul(aId, shapeBytes([1, aRows, K]), 3, bId, shapeBytes([1, K, N]), 3, false, false, outId);

  if (sizeOf(batchB) === 1) {
    // b is one matrix: all of a's rows go through in one call.
    call(tensorId(backend, a), batchSize * M, tensorId(backend, b), tensorId(backend, out));
    return out;
  }
  const aBase = heapOffset(backend, a);
  const bBase = heapOffset(backend, b);
  const outBase = heapOffset(backend, out);
  for (let i = 0; i < batchSize; i++) {
    const ia = broadcastIndex(i, batch, batchA);
    const ib = broadcastIndex(i, batch, batchB);
    const aId = registerView(backend, aBase + ia * M * K * FLOAT_BYTES, M * K);
    const bId = registerView(backend, bBase + ib * K * N * FLOAT_BYTES, K * N);
    const outId = registerView(backend, outBase + i * M * N * FLOAT_BYTES, M * N);
    call(aId, M, bId, outId);
    releaseView(backend, aId);
    releaseView(backend, bId); // also frees the XNNPACK operator cached on this id
    releaseView(backend, outId);
  }
  return out;
}

/** Whether b has a batch and each entry's product is below SMALL_PRODUCT. */
function isSmallBatched(a: TensorInfo, b: TensorInfo, attrs: { transposeA: boolean; transposeB: boolean }): boolean {
  if (sizeOf(b.shape.slice(0, -2)) === 1) return false;
  const [aRows, aCols] = a.shape.slice(-2);
  const [bRows, bCols] = b.shape.slice(-2);
  const M = attrs.transposeA ? aCols : aRows;
  const K = attrs.transposeA ? aRows : aCols;
  const N = attrs.transposeB ? bRows : bCols;
  return M * K * N < SMALL_PRODUCT;
}

function transposeLastTwo(backend: WasmBackend, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!transpose) throw new Error('the wasm backend has no Transpose kernel');
  return transpose.kernelFunc({ inputs: { x }, backend: backend as never, attrs: { perm } }) as TensorInfo;
}

/** The flat index into `inShape` (right-aligned, size-1 dims broadcast) of flat index `flat` of `outShape`. */
function broadcastIndex(flat: number, outShape: number[], inShape: number[]): number {
  let index = 0;
  let stride = 1;
  for (let d = outShape.length - 1, di = inShape.length - 1; d >= 0; d--, di--) {
    const coord = flat % outShape[d];
    flat = Math.floor(flat / outShape[d]);
    if (di >= 0) {
      if (inShape[di] !== 1) index += coord * stride;
      stride *= inShape[di];
    }
  }
  return index;
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}
