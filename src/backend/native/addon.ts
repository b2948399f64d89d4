/**
 * Loads the optional native addon (native/build/, built by native/build.mjs at `npm install`):
 * on x86-64 the AVX2 build where the CPU has AVX2 and FMA, else the baseline build.
 * DPO_RUN_NATIVE_ADDON=<path> loads another build (the sanitizer one, for instance).
 *
 * Its functions compute in place on the memory they are handed: each tensor argument is a
 * TypedArray over exactly that tensor's memory (a Float32Array or Int32Array of the
 * native-cpu backend, or a Uint8Array view of the wasm heap), and the addon checks every
 * element a kernel touches against it. Offsets and sizes count elements, not bytes.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { arch } from 'node:os';
import { fileURLToPath } from 'node:url';

/** A tensor's memory as the addon takes it. */
export type Memory = Float32Array | Int32Array | Uint8Array;

export interface NativeAddon {
  /** The GEMM library, the kernel set its CPU detection chose and the build's instruction set: `BLIS 0.9.0 zen3, avx2 fma`. */
  info(): string;
  /**
   * For each (a, b, c) triple of element offsets: C (m, n) = act(op(A) (m, k) . op(B) (k, n) + bias);
   * bias (n or 1 floats) or null; activation uses FusableActivation codes.
   */
  matMul(a: Memory, b: Memory, c: Memory, offsets: Float64Array, m: number, n: number, k: number, transposeA: boolean,
    transposeB: boolean, bias: Memory | null, activation: number, leakyreluAlpha: number): void;
  /** out = x.transpose(perm) for 4-byte elements (float32, int32). */
  transpose(x: Memory, out: Memory, shape: Float64Array, perm: Float64Array): void;
  /** x as (outer, axisLength, inner): out (outer, count, inner) = x[:, indices, :]; false (nothing written) on a bad index. */
  gather(x: Memory, indices: Memory, out: Memory, outer: number, axisLength: number, inner: number, count: number): boolean;
  /** x as (outer, axisLength, inner) cut along the axis into outputs of the given sizes. */
  split(x: Memory, outs: Memory[], sizes: Float64Array, outer: number, axisLength: number, inner: number): void;
  /** The inverse of split: out (outer, sum of sizes, inner) from parts (outer, size, inner) in order. */
  concat(parts: Memory[], sizes: Float64Array, out: Memory, outer: number, inner: number): void;
  /** y = f(x) over n floats; op: see UNARY_OPS in elementwise.ts (0 exp, 1 tanh, ...). */
  unary(op: number, x: Memory, y: Memory, n: number): void;
  /** out (shape) = a op b read at per-axis element strides (0: broadcast); op 0 add, 1 sub, 2 mul, 3 div, 4 maximum, 5 minimum. */
  binary(op: number, a: Memory, b: Memory, out: Memory, shape: Float64Array, aStrides: Float64Array, bStrides: Float64Array): void;
  /** x viewed as (outer, reduce, inner): out (outer, inner) = scale * sum over the reduce axis. */
  sumBlocks(x: Memory, out: Memory, outer: number, reduce: number, inner: number, scale: number): void;
  /** x viewed as (outer, reduce, inner), reduce >= 1: out (outer, inner) = the max over the reduce axis (NaN wins). */
  maxBlocks(x: Memory, out: Memory, outer: number, reduce: number, inner: number): void;
  /** out (n) = the sum of the parts (n floats each), added in order. */
  addN(parts: Memory[], out: Memory, n: number): void;
  /** out (numSegments, inner) = per segment, the sum of the rows of x (rows, inner) with that id; other ids dropped. */
  segmentSum(x: Memory, ids: Memory, out: Memory, rows: number, inner: number, numSegments: number): void;
  /** For every index i of shape: out[outOffset + i . outStrides] = x[xOffset + i . xStrides], 4-byte elements; strides may be 0 or negative. */
  stridedCopy(x: Memory, out: Memory, shape: Float64Array, xStrides: Float64Array, xOffset: number, outStrides: Float64Array, outOffset: number): void;
  /** out[i] = the element whose 32 bits are `bits`, for i in [0, n). */
  fill(out: Memory, bits: number, n: number): void;
  /** y (rows, C) = LayerNorm of each row of x with gain and bias (C). */
  layerNorm(x: Memory, gain: Memory, bias: Memory, y: Memory, rows: number, C: number, epsilon: number): void;
  /** dx (rows, C), dgain (C), dbias (C) of layerNorm given dy (rows, C); the row statistics are recomputed. */
  layerNormGrad(dy: Memory, x: Memory, gain: Memory, dx: Memory, dgain: Memory, dbias: Memory, rows: number, C: number, epsilon: number): void;
  /** y = GELU (tanh form) of n floats. */
  gelu(x: Memory, y: Memory, n: number): void;
  /** dx = dy * GELU'(x) over n floats. */
  geluGrad(dy: Memory, x: Memory, dx: Memory, n: number): void;
  /** logp (N) = log softmax(logits (N, V))[i, targets[i]]; false (nothing written) on a target outside [0, V). */
  targetLogProbs(logits: Memory, targets: Memory, logp: Memory, N: number, V: number): boolean;
  /** dlogits (N, V) = dy[i] (onehot(targets[i]) - softmax(logits[i])); false on a bad target. */
  targetLogProbsGrad(dy: Memory, logits: Memory, targets: Memory, logp: Memory, dlogits: Memory, N: number, V: number): boolean;
  /** One Adam(W) update of n floats. */
  adam(theta: Memory, grad: Memory, m: Memory, v: Memory, thetaOut: Memory, mOut: Memory, vOut: Memory, n: number, lr: number,
    beta1: number, beta2: number, eps: number, weightDecay: number, correction1: number, correction2: number): void;
  /** One RMSprop update of n floats. */
  rmsprop(theta: Memory, grad: Memory, v: Memory, thetaOut: Memory, vOut: Memory, n: number, lr: number, rho: number, eps: number): void;
  /** y (B, T, H, D) = softmax(scale q k^T + bias) v per head; key, value (B, Tk, H, D), bias (B|1, 1, T, Tk). */
  attention(q: Memory, key: Memory, value: Memory, bias: Memory, y: Memory, batch: number, heads: number, T: number, Tk: number, D: number,
    biasPerBatch: boolean, scale: number): void;
  /** dq, dkey, dvalue of attention given dy (B, T, H, D); the softmax weights are recomputed. */
  attentionGrad(dy: Memory, q: Memory, key: Memory, value: Memory, bias: Memory, dq: Memory, dkey: Memory, dvalue: Memory,
    batch: number, heads: number, T: number, Tk: number, D: number, biasPerBatch: boolean, scale: number): void;
  /**
   * One GPT-2 block for one new token per row: x (B, C) -> y (B, C), writing the token's key
   * and value into the caches (B, capacity, heads, C / heads) at `position`. tensors: x, y,
   * keyCache, valueCache, mask (B, capacity), then the block's parameters in DECODE_WEIGHTS order.
   */
  decodeBlock(tensors: Memory[], B: number, C: number, heads: number, capacity: number, position: number, epsilon: number): void;
  /** tokens (rows) int32 sampled from logits (rows, V) at the uniforms, as src/model/sampling.ts sampleToken does. */
  sampleTokens(logits: Memory, tokens: Memory, uniforms: Float64Array, V: number, temperature: number, topK: number, topP: number): void;
}

const BUILD_DIR = fileURLToPath(new URL('../../../native/build/', import.meta.url));
/** What the AVX2 build needs of the CPU (native/build.mjs compiles it with these). */
const AVX2_FLAGS = ['avx', 'avx2', 'fma', 'f16c', 'bmi1', 'bmi2'];

function cpuFlags(): Set<string> {
  try {
    return new Set(readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1].trim().split(/\s+/) ?? []);
  } catch {
    return new Set();
  }
}

/** The build this process should load, and why. */
export function addonPath(): string {
  if (process.env.DPO_RUN_NATIVE_ADDON) return process.env.DPO_RUN_NATIVE_ADDON;
  if (arch() !== 'x64') return BUILD_DIR + 'dpo_native.node';
  const flags = cpuFlags();
  return BUILD_DIR + (AVX2_FLAGS.every((f) => flags.has(f)) ? 'dpo_native-avx2.node' : 'dpo_native-baseline.node');
}

let cached: { addon: NativeAddon } | { addon: undefined; reason: string } | undefined;

/** The addon, or why it cannot be used (loaded once per process). */
export function loadAddon(): { addon: NativeAddon } | { addon: undefined; reason: string } {
  cached ??= load(addonPath());
  return cached;
}

function load(path: string): { addon: NativeAddon } | { addon: undefined; reason: string } {
  if (!existsSync(path)) {
    return { addon: undefined, reason: `native addon not built: no ${path} (apt-get install g++ libblis-dev; npm run build:native)` };
  }
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    addon.info();
    return { addon };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { addon: undefined, reason: `native addon failed to load: ${message.split('\n')[0]}` };
  }
}
