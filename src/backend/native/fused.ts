/**
 * The fused kernels of ../fused/kernelNames.ts for the wasm backend, computed by the native
 * addon on the wasm heap. They are new kernels (no stock one to fall back to): the ops in
 * ../fused/ call them only for float32 inputs of the shapes they take.
 */
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { DECODE_WEIGHTS, FUSED_KERNELS, type FusedKernelName } from '../kernelNames.ts';
import type { NativeAddon } from './addon.ts';
import { heapOf, offsetOf, type WasmBackend } from './wasmHeap.ts';

type Inputs = Record<string, TensorInfo>;
const sizeOf = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

function targetError(V: number): Error {
  return new Error(`target log-probabilities: a target id is outside the vocabulary [0, ${V})`);
}

const kernels: Record<FusedKernelName, (addon: NativeAddon) => KernelFunc> = {
  [FUSED_KERNELS.layerNorm]: (addon) => ({ inputs, backend, attrs }) => {
    const { x, gain, bias } = inputs as Inputs;
    const wasm = backend as unknown as WasmBackend;
    const C = x.shape[x.shape.length - 1], rows = sizeOf(x.shape) / Math.max(C, 1);
    const y = wasm.makeOutput(x.shape, 'float32');
    addon.layerNorm(heapOf(wasm), offsetOf(wasm, x), offsetOf(wasm, gain), offsetOf(wasm, bias), offsetOf(wasm, y), rows, C, (attrs as NamedAttrMap).epsilon as number);
    return y;
  },
  [FUSED_KERNELS.layerNormGrad]: (addon) => ({ inputs, backend, attrs }) => {
    const { dy, x, gain } = inputs as Inputs;
    const wasm = backend as unknown as WasmBackend;
    const C = x.shape[x.shape.length - 1], rows = sizeOf(x.shape) / Math.max(C, 1);
    const dx = wasm.makeOutput(x.shape, 'float32'), dgain = wasm.makeOutput([C], 'float32'), dbias = wasm.makeOutput([C], 'float32');
    addon.layerNormGrad(heapOf(wasm), offsetOf(wasm, dy), offsetOf(wasm, x), offsetOf(wasm, gain), offsetOf(wasm, dx),
      offsetOf(wasm, dgain), offsetOf(wasm, dbias), rows, C, (attrs as NamedAttrMap).epsilon as number);
    return [dx, dgain, dbias];
  },
  [FUSED_KERNELS.gelu]: (addon) => ({ inputs, backend }) => {
    const { x } = inputs as Inputs;
    const wasm = backend as unknown as WasmBackend;
    const y = wasm.makeOutput(x.shape, 'float32');
    addon.gelu(heapOf(wasm), offsetOf(wasm, x), offsetOf(wasm, y), sizeOf(x.shape));
    return y;
  },
  [FUSED_KERNELS.geluGrad]: (addon) => ({ inputs, backend }) => {
    const { dy, x } = inputs as Inputs;
    const wasm = backend as unknown as WasmBackend;
    const dx = wasm.makeOutput(x.shape, 'float32');
    addon.geluGrad(heapOf(wasm), offsetOf(wasm, dy), offsetOf(wasm, x), offsetOf(wasm, dx), sizeOf(x.shape));
    return dx;
  },
  [FUSED_KERNELS.targetLogProbs]: (addon) => ({ inputs, backend }) => {
    const { logits, targets } = inputs as Inputs;
    const wasm = backend as unknown as WasmBackend;
    const [N, V] = logits.shape;
    const logp = wasm.makeOutput([N], 'float32');
    if (!addon.targetLogProbs(heapOf(wasm), offsetOf(wasm, logits), offsetOf(wasm, targets), offsetOf(wasm, logp), N, V)) {
      wasm.disposeData(logp.dataId);
      throw targetError(V);
    }
    return logp;
  },
  [FUSED_KERNELS.targetLogProbsGrad]: (addon) => ({ inputs, backend }) => {
    const { dy, logits, targets, logp } = inputs as Inputs;
    const wasm = backend as unknown as WasmBackend;
    const [N, V] = logits.shape;
    const dlogits = wasm.makeOutput([N, V], 'float32');
    if (!addon.targetLogProbsGrad(heapOf(wasm), offsetOf(wasm, dy), offsetOf(wasm, logits), offsetOf(wasm, targets), offsetOf(wasm, logp), offsetOf(wasm, dlogits), N, V)) {
      wasm.disposeData(dlogits.dataId);
      throw targetError(V);
    }
    return dlogits;
  },
  [FUSED_KERNELS.adam]: (addon) => ({ inputs, backend, attrs }) => {
    const { theta, grad, m, v } = inputs as Inputs;
    const a = attrs as NamedAttrMap as Record<string, number>;
    const wasm = backend as unknown as WasmBackend;
    const outs = [theta, m, v].map((t) => wasm.makeOutput(t.shape, 'float32'));
    const offsets = Float64Array.from([theta, grad, m, v, ...outs].map((t) => offsetOf(wasm, t)));
    addon.adam(heapOf(wasm), offsets, sizeOf(theta.shape), a.lr, a.beta1, a.beta2, a.eps, a.weightDecay, a.correction1, a.correction2);
    return outs;
  },
  [FUSED_KERNELS.rmsprop]: (addon) => ({ inputs, backend, attrs }) => {
    const { theta, grad, v } = inputs as Inputs;
    const a = attrs as NamedAttrMap as Record<string, number>;
    const wasm = backend as unknown as WasmBackend;
    const outs = [theta, v].map((t) => wasm.makeOutput(t.shape, 'float32'));
    const offsets = Float64Array.from([theta, grad, v, ...outs].map((t) => offsetOf(wasm, t)));
    addon.rmsprop(heapOf(wasm), offsets, sizeOf(theta.shape), a.lr, a.rho, a.eps);
    return outs;
  },
  [FUSED_KERNELS.attention]: (addon) => ({ inputs, backend, attrs }) => {
    const { q, key, value, bias } = inputs as Inputs;
    const wasm = backend as unknown as WasmBackend;
    const [B, T, H, D] = q.shape, Tk = key.shape[1];
    const y = wasm.makeOutput(q.shape, 'float32');
    addon.attention(heapOf(wasm), offsetOf(wasm, q), offsetOf(wasm, key), offsetOf(wasm, value), offsetOf(wasm, bias), offsetOf(wasm, y),
      B, H, T, Tk, D, bias.shape[0] === B && B > 1, (attrs as NamedAttrMap).scale as number);
    return y;
  },
  [FUSED_KERNELS.attentionGrad]: (addon) => ({ inputs, backend, attrs }) => {
    const { dy, q, key, value, bias } = inputs as Inputs;
    const wasm = backend as unknown as WasmBackend;
    const [B, T, H, D] = q.shape, Tk = key.shape[1];
    const [dq, dkey, dvalue] = [q, key, value].map((t) => wasm.makeOutput(t.shape, 'float32'));
    addon.attentionGrad(heapOf(wasm), offsetOf(wasm, dy), offsetOf(wasm, q), offsetOf(wasm, key), offsetOf(wasm, value), offsetOf(wasm, bias),
      offsetOf(wasm, dq), offsetOf(wasm, dkey), offsetOf(wasm, dvalue), B, H, T, Tk, D, bias.shape[0] === B && B > 1, (attrs as NamedAttrMap).scale as number);
    return [dq, dkey, dvalue];
  },
  [FUSED_KERNELS.decodeBlock]: (addon) => ({ inputs, backend, attrs }) => {
    const named = inputs as Inputs;
    const a = attrs as NamedAttrMap as Record<string, number>;
    const wasm = backend as unknown as WasmBackend;
    const [B, C] = named.x.shape, capacity = named.keyCache.shape[1];
    const y = wasm.makeOutput([B, C], 'float32');
    const order = ['x', 'y', 'keyCache', 'valueCache', 'mask', ...DECODE_WEIGHTS];
    const offsets = Float64Array.from(order.map((name) => offsetOf(wasm, name === 'y' ? y : named[name])));
    addon.decodeBlock(heapOf(wasm), offsets, B, C, a.heads, capacity, a.position, a.epsilon);
    return y;
  },
  [FUSED_KERNELS.sampleTokens]: (addon) => ({ inputs, backend, attrs }) => {
    const { logits } = inputs as Inputs;
    const a = attrs as NamedAttrMap as { uniforms: number[]; temperature: number; topK: number; topP: number };
    const wasm = backend as unknown as WasmBackend;
    const [rows, V] = logits.shape;
    const tokens = wasm.makeOutput([rows], 'int32');
    addon.sampleTokens(heapOf(wasm), offsetOf(wasm, logits), offsetOf(wasm, tokens), Float64Array.from(a.uniforms), V, a.temperature, a.topK, a.topP);
    return tokens;
  },
};

/** The fused kernels' functions for the wasm backend, by kernel name. */
export function fusedKernelFuncs(addon: NativeAddon): [FusedKernelName, KernelFunc][] {
  return Object.entries(kernels).map(([name, make]) => [name as FusedKernelName, make(addon)]);
}
