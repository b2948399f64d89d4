/**
 * The `native-cpu` backend class: TensorFlow.js's cpu backend (tensors as TypedArrays in
 * ordinary memory), with the memory of disposed native outputs reused (see bufferPool.ts).
 * Values it hands out (readSync, read) are marked as seen, so that they are never reused.
 */
import type { DataType } from '@tensorflow/tfjs';
import { totalmem } from 'node:os';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { BufferPool } from './bufferPool.ts';

/**
 * How much memory of disposed tensors is kept for reuse: DPO_RUN_NATIVE_POOL_MB, else an
 * eighth of the machine's memory up to 4 GB (a GPT-2-small-width step turns over about
 * 2 GB of outputs; with 1 GB kept it ran 12% slower than with 3 GB).
 */
function poolCapacity(): number {
  const mb = Number(process.env.DPO_RUN_NATIVE_POOL_MB);
  if (process.env.DPO_RUN_NATIVE_POOL_MB !== undefined && Number.isFinite(mb) && mb >= 0) return mb * 2 ** 20;
  return Math.min(4 * 2 ** 30, totalmem() / 8);
}

type DataId = object;

export class NativeCpuBackend extends MathBackendCPU {
  readonly pool = new BufferPool(poolCapacity());

  constructor() {
    super();
    (this as unknown as { firstUse: boolean }).firstUse = false; // no banner about tfjs-node
  }

  /** A new TypedArray of n elements for a kernel to fill. */
  allocate(dtype: DataType, n: number): Float32Array | Int32Array | Uint8Array {
    switch (dtype) {
      case 'float32': return new Float32Array(this.pool.take(4 * n), 0, n);
      case 'int32': return new Int32Array(this.pool.take(4 * n), 0, n);
      case 'bool': return new Uint8Array(this.pool.take(n), 0, n);
      default: throw new Error(`native kernels: cannot make a ${dtype} output`);
    }
  }

  override readSync(dataId: DataId): ReturnType<MathBackendCPU['readSync']> {
    this.pool.expose(this.data.get(dataId)?.values);
    return super.readSync(dataId);
  }

  override async read(dataId: DataId): ReturnType<MathBackendCPU['read']> {
    return this.readSync(dataId);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const data = this.data.get(dataId);
    const last = data !== undefined && data.refCount <= 1;
    const released = super.disposeData(dataId, force);
    if (released && last) this.pool.release(data.values);
    return released;
  }
}
