/** Transpose of float32 and int32 tensors (a copy for the identity permutation); other dtypes go to the stock kernel. */
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { NativeAddon } from './addon.ts';
import type { MemoryOf } from './kernelMemory.ts';

export function nativeTranspose(addon: NativeAddon, stock: KernelFunc, memoryOf: MemoryOf): KernelFunc {
  return (config) => {
    const { x } = config.inputs as { x: TensorInfo };
    const { perm } = config.attrs as NamedAttrMap & { perm: number[] };
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || perm.length !== x.shape.length) return stock(config);
    const memory = memoryOf(config.backend);
    const out = memory.output(perm.map((axis) => x.shape[axis]), x.dtype);
    if (x.shape.some((d) => d === 0)) return out;
    addon.transpose(memory.memory(x), memory.memory(out), Float64Array.from(x.shape), Float64Array.from(perm));
    return out;
  };
}
