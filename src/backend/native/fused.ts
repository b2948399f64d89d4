/**
 * The fused kernels of ../kernelNames.ts, computed by the native addon. They are new
 * kernels (no stock one to fall back to): the ops in src/model/ops/ call them only for
 * float32 inputs of the shapes they take.
 */
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { DECODE_WEIGHTS, FUSED_KERNELS, type FusedKernelName } from '../kernelNames.ts';
import type { NativeAddon } from './addon.ts';
import { sizeOf, type MemoryOf } from './kernelMemory.ts';

type Inputs = Record<string, TensorInfo>;
type FusedFactory = (addon: NativeAddon, memoryOf: MemoryOf) => KernelFunc;

function targetError(V: number): Error {
  return new Error(`target log-probabilities: a target id is outside the vocabulary [0, ${V})`);
}

/** Rows and width of a tensor taken as (rows, C), C its last dimension. */
function rowsOf(x: TensorInfo): [number, number] {
  const C = x.shape[x.shape.length - 1];
  return [sizeOf(x.shape) / Math.max(C, 1), C];
}

const kernels: Record<FusedKernelName, FusedFactory> = {
  [FUSED_KERNELS.layerNorm]: (addon, memoryOf) => ({ inputs, backend, attrs }) => {
    const { x, gain, bias } = inputs as Inputs;
    const memory = memoryOf(backend), [rows, C] = rowsOf(x), m = memory.memory.bind(memory);
    const y = memory.output(x.shape, 'float32');
    addon.layerNorm(m(x), m(gain), m(bias), m(y), rows, C, (attrs as NamedAttrMap).epsilon as number);
    return y;
  },
  [FUSED_KERNELS.layerNormGrad]: (addon, memoryOf) => ({ inputs, backend, attrs }) => {
    const { dy, x, gain } = inputs as Inputs;
    const memory = memoryOf(backend), [rows, C] = rowsOf(x), m = memory.memory.bind(memory);
    const dx = memory.output(x.shape, 'float32'), dgain = memory.output([C], 'float32'), dbias = memory.output([C], 'float32');
    addon.layerNormGrad(m(dy), m(x), m(gain), m(dx), m(dgain), m(dbias), rows, C, (attrs as NamedAttrMap).epsilon as number);
    return [dx, dgain, dbias];
  },
  [FUSED_KERNELS.gelu]: (addon, memoryOf) => ({ inputs, backend }) => {
    const { x } = inputs as Inputs;
    const memory = memoryOf(backend);
    const y = memory.output(x.shape, 'float32');
    addon.gelu(memory.memory(x), memory.memory(y), sizeOf(x.shape));
    return y;
  },
  [FUSED_KERNELS.geluGrad]: (addon, memoryOf) => ({ inputs, backend }) => {
    const { dy, x } = inputs as Inputs;
    const memory = memoryOf(backend);
    const dx = memory.output(x.shape, 'float32');
    addon.geluGrad(memory.memory(dy), memory.memory(x), memory.memory(dx), sizeOf(x.shape));
    return dx;
  },
  [FUSED_KERNELS.targetLogProbs]: (addon, memoryOf) => ({ inputs, backend }) => {
    const { logits, targets } = inputs as Inputs;
    const memory = memoryOf(backend), m = memory.memory.bind(memory);
    const [N, V] = logits.shape;
    const logp = memory.output([N], 'float32');
    if (!addon.targetLogProbs(m(logits), m(targets), m(logp), N, V)) {
      memory.dispose(logp);
      throw targetError(V);
    }
    return logp;
  },
  [FUSED_KERNELS.targetLogProbsGrad]: (addon, memoryOf) => ({ inputs, backend }) => {
    const { dy, logits, targets, logp } = inputs as Inputs;
    const memory = memoryOf(backend), m = memory.memory.bind(memory);
    const [N, V] = logits.shape;
    const dlogits = memory.output([N, V], 'float32');
    if (!addon.targetLogProbsGrad(m(dy), m(logits), m(targets), m(logp), m(dlogits), N, V)) {
      memory.dispose(dlogits);
      throw targetError(V);
    }
    return dlogits;
  },
  [FUSED_KERNELS.adam]: (addon, memoryOf) => ({ inputs, backend, attrs }) => {
    const { theta, grad, m, v } = inputs as Inputs;
    const a = attrs as NamedAttrMap as Record<string, number>;
    const memory = memoryOf(backend), at = memory.memory.bind(memory);
    const outs = [theta, m, v].map((t) => memory.output(t.shape, 'float32'));
    addon.adam(at(theta), at(grad), at(m), at(v), at(outs[0]), at(outs[1]), at(outs[2]), sizeOf(theta.shape),
      a.lr, a.beta1, a.beta2, a.eps, a.weightDecay, a.correction1, a.correction2);
    return outs;
  },
  [FUSED_KERNELS.rmsprop]: (addon, memoryOf) => ({ inputs, backend, attrs }) => {
    const { theta, grad, v } = inputs as Inputs;
    const a = attrs as NamedAttrMap as Record<string, number>;
    const memory = memoryOf(backend), at = memory.memory.bind(memory);
    const outs = [theta, v].map((t) => memory.output(t.shape, 'float32'));
    addon.rmsprop(at(theta), at(grad), at(v), at(outs[0]), at(outs[1]), sizeOf(theta.shape), a.lr, a.rho, a.eps);
    return outs;
  },
  [FUSED_KERNELS.attention]: (addon, memoryOf) => ({ inputs, backend, attrs }) => {
    const { q, key, value, bias } = inputs as Inputs;
    const memory = memoryOf(backend), m = memory.memory.bind(memory);
    const [B, T, H, D] = q.shape, Tk = key.shape[1];
    const y = memory.output(q.shape, 'float32');
    addon.attention(m(q), m(key), m(value), m(bias), m(y), B, H, T, Tk, D, bias.shape[0] === B && B > 1, (attrs as NamedAttrMap).scale as number);
    return y;
  },
  [FUSED_KERNELS.attentionGrad]: (addon, memoryOf) => ({ inputs, backend, attrs }) => {
    const { dy, q, key, value, bias } = inputs as Inputs;
    const memory = memoryOf(backend), m = memory.memory.bind(memory);
    const [B, T, H, D] = q.shape, Tk = key.shape[1];
    const [dq, dkey, dvalue] = [q, key, value].map((t) => memory.output(t.shape, 'float32'));
    addon.attentionGrad(m(dy), m(q), m(key), m(value), m(bias), m(dq), m(dkey), m(dvalue), B, H, T, Tk, D,
      bias.shape[0] === B && B > 1, (attrs as NamedAttrMap).scale as number);
    return [dq, dkey, dvalue];
  },
  [FUSED_KERNELS.decodeBlock]: (addon, memoryOf) => ({ inputs, backend, attrs }) => {
    const named = inputs as Inputs;
    const a = attrs as NamedAttrMap as Record<string, number>;
    const memory = memoryOf(backend);
    const [B, C] = named.x.shape, capacity = named.keyCache.shape[1];
    const y = memory.output([B, C], 'float32');
    const order = ['x', 'y', 'keyCache', 'valueCache', 'mask', ...DECODE_WEIGHTS];
    addon.decodeBlock(order.map((name) => memory.memory(name === 'y' ? y : named[name])), B, C, a.heads, capacity, a.position, a.epsilon);
    return y;
  },
  [FUSED_KERNELS.sampleTokens]: (addon, memoryOf) => ({ inputs, backend, attrs }) => {
    const { logits } = inputs as Inputs;
    const a = attrs as NamedAttrMap as { uniforms: number[]; temperature: number; topK: number; topP: number };
    const memory = memoryOf(backend);
    const [rows, V] = logits.shape;
    if (a.uniforms.length !== rows) throw new Error(`sampleTokens: ${rows} rows but ${a.uniforms.length} uniforms`);
    const tokens = memory.output([rows], 'int32');
    addon.sampleTokens(memory.memory(logits), memory.memory(tokens), Float64Array.from(a.uniforms), V, a.temperature, a.topK, a.topP);
    return tokens;
  },
};

/** The fused kernels' functions for a backend reached through memoryOf, by kernel name. */
export function fusedKernelFuncs(addon: NativeAddon, memoryOf: MemoryOf): [FusedKernelName, KernelFunc][] {
  return Object.entries(kernels).map(([name, make]) => [name as FusedKernelName, make(addon, memoryOf)]);
}
