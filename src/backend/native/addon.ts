/**
 * Loads the optional native addon (native/build/dpo_native.node, built by native/build.mjs at
 * `npm install`). Its functions compute in place on the wasm heap: `heap` is a Uint8Array
 * over the whole heap, and offsets are byte offsets into it.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface NativeAddon {
  /** The GEMM library and the kernel set its CPU detection chose, e.g. `BLIS 0.9.0 zen3`. */
  info(): string;
  /**
   * For each (a, b, c) byte-offset triple: C (m, n) = act(op(A) (m, k) . op(B) (k, n) + bias).
   * biasOffset -1 means no bias; biasLength is n or 1; activation uses FusableActivation codes.
   */
  matMul(heap: Uint8Array, offsets: Float64Array, m: number, n: number, k: number, transposeA: boolean,
    transposeB: boolean, biasOffset: number, biasLength: number, activation: number, leakyreluAlpha: number): void;
  /** out = x.transpose(perm) for 4-byte elements (float32, int32). */
  transpose(heap: Uint8Array, xOffset: number, outOffset: number, shape: Float64Array, perm: Float64Array): void;
  /** x as (outer, axisLength, inner): out (outer, count, inner) = x[:, indices, :]; false (nothing written) on a bad index. */
  gather(heap: Uint8Array, xOffset: number, indicesOffset: number, outOffset: number,
    outer: number, axisLength: number, inner: number, count: number): boolean;
  /** x as (outer, axisLength, inner) cut along the axis into outputs of the given sizes. */
  split(heap: Uint8Array, xOffset: number, outOffsets: Float64Array, sizes: Float64Array, outer: number, axisLength: number, inner: number): void;
  /** The inverse of split: out (outer, sum of sizes, inner) from parts (outer, size, inner) in order. */
  concat(heap: Uint8Array, partOffsets: Float64Array, sizes: Float64Array, outOffset: number, outer: number, inner: number): void;
  /** y = f(x) over n floats; op 0 exp, 1 tanh. */
  unary(heap: Uint8Array, op: number, xOffset: number, yOffset: number, n: number): void;
  /** out (shape) = a op b read at per-axis element strides (0: broadcast); op 0 add, 1 sub, 2 mul, 3 div. */
  binary(heap: Uint8Array, op: number, aOffset: number, bOffset: number, outOffset: number,
    shape: Float64Array, aStrides: Float64Array, bStrides: Float64Array): void;
  /** x viewed as (outer, reduce, inner): out (outer, inner) = scale * sum over the reduce axis. */
  sumBlocks(heap: Uint8Array, xOffset: number, outOffset: number, outer: number, reduce: number, inner: number, scale: number): void;
  /** y (rows, C) = LayerNorm of each row of x with gain and bias (C). */
  layerNorm(heap: Uint8Array, xOffset: number, gainOffset: number, biasOffset: number, yOffset: number, rows: number, C: number, epsilon: number): void;
  /** dx (rows, C), dgain (C), dbias (C) of layerNorm given dy (rows, C); the row statistics are recomputed. */
  layerNormGrad(heap: Uint8Array, dyOffset: number, xOffset: number, gainOffset: number, dxOffset: number,
    dgainOffset: number, dbiasOffset: number, rows: number, C: number, epsilon: number): void;
  /** y = GELU (tanh form) of n floats. */
  gelu(heap: Uint8Array, xOffset: number, yOffset: number, n: number): void;
  /** dx = dy * GELU'(x) over n floats. */
  geluGrad(heap: Uint8Array, dyOffset: number, xOffset: number, dxOffset: number, n: number): void;
  /** logp (N) = log softmax(logits (N, V))[i, targets[i]]; false (nothing written) on a target outside [0, V). */
  targetLogProbs(heap: Uint8Array, logitsOffset: number, targetsOffset: number, logpOffset: number, N: number, V: number): boolean;
  /** dlogits (N, V) = dy[i] (onehot(targets[i]) - softmax(logits[i])); false on a bad target. */
  targetLogProbsGrad(heap: Uint8Array, dyOffset: number, logitsOffset: number, targetsOffset: number, logpOffset: number,
    dlogitsOffset: number, N: number, V: number): boolean;
  /** One Adam(W) update of n floats; offsets [theta, grad, m, v, thetaOut, mOut, vOut]. */
  adam(heap: Uint8Array, offsets: Float64Array, n: number, lr: number, beta1: number, beta2: number, eps: number,
    weightDecay: number, correction1: number, correction2: number): void;
  /** One RMSprop update of n floats; offsets [theta, grad, v, thetaOut, vOut]. */
  rmsprop(heap: Uint8Array, offsets: Float64Array, n: number, lr: number, rho: number, eps: number): void;
  /** y (B, T, H, D) = softmax(scale q k^T + bias) v per head; key, value (B, Tk, H, D), bias (B|1, 1, T, Tk). */
  attention(heap: Uint8Array, qOffset: number, keyOffset: number, valueOffset: number, biasOffset: number, yOffset: number,
    batch: number, heads: number, T: number, Tk: number, D: number, biasPerBatch: boolean, scale: number): void;
  /** dq, dkey, dvalue of attention given dy (B, T, H, D); the softmax weights are recomputed. */
  attentionGrad(heap: Uint8Array, dyOffset: number, qOffset: number, keyOffset: number, valueOffset: number, biasOffset: number,
    dqOffset: number, dkeyOffset: number, dvalueOffset: number, batch: number, heads: number, T: number, Tk: number, D: number,
    biasPerBatch: boolean, scale: number): void;
  /**
   * One GPT-2 block for one new token per row: x (B, C) -> y (B, C), writing the token's key
   * and value into the caches (B, capacity, heads, C / heads) at `position`. offsets: x, y,
   * keyCache, valueCache, mask (B, capacity), then ln_1 gain and bias, c_attn weight and
   * bias, attn c_proj weight and bias, ln_2 gain and bias, c_fc weight and bias, mlp c_proj
   * weight and bias.
   */
  decodeBlock(heap: Uint8Array, offsets: Float64Array, B: number, C: number, heads: number, capacity: number, position: number, epsilon: number): void;
  /** tokens (rows) int32 sampled from logits (rows, V) at the uniforms, as src/model/sampling.ts sampleToken does. */
  sampleTokens(heap: Uint8Array, logitsOffset: number, tokensOffset: number, uniforms: Float64Array, V: number,
    temperature: number, topK: number, topP: number): void;
}

export const ADDON_PATH = fileURLToPath(new URL('../../../native/build/dpo_native.node', import.meta.url));

/** The addon, or why it cannot be used. */
export function loadAddon(): { addon: NativeAddon } | { addon: undefined; reason: string } {
  if (!existsSync(ADDON_PATH)) {
    return { addon: undefined, reason: 'native addon not built (apt-get install g++ libblis-dev; npm run build:native)' };
  }
  try {
    const addon = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
    addon.info();
    return { addon };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { addon: undefined, reason: `native addon failed to load: ${message.split('\n')[0]}` };
  }
}
