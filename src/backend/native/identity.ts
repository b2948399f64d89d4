/**
 * Identity without a copy: the output shares the input's heap memory and counts one more
 * reference to it, as the cpu backend does (tensors are immutable, and the wasm backend's
 * Reshape already shares memory this way). The engine clones every tensor it saves for the
 * backward pass through this kernel, so the stock copy cost a GPT step about a third of its
 * time. Needs no addon; strings go to the stock kernel.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

export function sharedIdentity(_addon: unknown, stock: KernelFunc): KernelFunc {
  return (config) => {
    const { x } = config.inputs as { x: TensorInfo };
    if (x.dtype === 'string' || x.dtype === 'complex64') return stock(config);
    (config.backend as unknown as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
