/**
 * The GPT-J forward pass (transformers' GPTJForCausalLM): token embedding (no position
 * embedding), blocks with ONE LayerNorm feeding attention and the MLP in parallel,
 * h = x + attn(ln_1(x)) + mlp(ln_1(x)), causal self-attention without biases whose queries
 * and keys turn by GPT-J's interleaved rotary embedding (rotate_every_two) on the first
 * rotaryDim dimensions of each head, a tanh-GELU MLP fc_out(gelu_new(fc_in(x))), a final
 * LayerNorm and the untied lm_head with its bias (forward.ts's outputHead). Linear
 * weights are [out, in]. Attention is computed in float32, as GPT-J does (the whole model is).
 *
 * Kernels: of the fused CPU kernels (native-cpu; wasm with the native kernels), scaled
 * dot-product attention, LayerNorm and the tanh GELU apply (GPT-J's LayerNorm and gelu_new are
 * GPT-2's); the rotary embedding is stock tf ops, and generation never takes the fused decoder
 * (its block is GPT-2's sequential one).
 */
import * as tf from '@tensorflow/tfjs';
import { applyAttention, attentionWeights, scaledDotProductAttention } from './ops/attention.ts';
import { GPTJ_ROTARY_BASE } from './gptjConfig.ts';
import { embedding, param, type GPT } from './gpt.ts';
import { attentionBias, dropout, gelu, layerNorm } from './layers.ts';
import type { ForwardOptions, LayerCache } from './forward.ts';

type Rope = { cos: tf.Tensor4D; sin: tf.Tensor4D };

/**
 * The transformer body of a GPT-J model, as forward.ts's transformer (which checks the
 * inputs and calls this): ids (B, T) -> hidden (B, T, C) after ln_f, and with `past` the
 * keys (after the rotary embedding) and values of all Tpast + T positions. Positions are
 * options.positionIds (B, T) (a left-padded row's counted from its first real token), or Tpast + 0..T-1.
 */
export function gptjTransformer(
  model: GPT,
  ids: tf.Tensor2D,
  options: ForwardOptions,
  past: LayerCache[] | undefined,
  seed: () => number | undefined,
): { hidden: tf.Tensor3D; present?: LayerCache[] } {
  const { config } = model;
  const R = config.gptj!.rotaryDim;
  const [B, T] = ids.shape;
  const C = config.nEmbd;
  const eps = config.layerNormEpsilon;
  const pastLength = past?.[0]?.key.shape[1] ?? 0;
  const Tk = pastLength + T;
  const positions = options.positionIds ?? (tf.range(pastLength, Tk, 1, 'int32').reshape([1, T]) as tf.Tensor2D); // (B|1, T)
  const rope = interleavedRotaryEmbedding(positions, R, GPTJ_ROTARY_BASE);
  const bias = attentionBias(T, Tk, options.attentionMask); // (B|1, 1, T, Tk)
  let x = dropout(tf.gather(embedding(model), ids), config.dropout, seed()) as tf.Tensor3D; // (B, T, C)
  const present: LayerCache[] | undefined = past ? [] : undefined;
  for (let i = 0; i < config.nLayer; i++) {
    const h = (name: string) => param(model, `transformer.h.${i}.${name}`);
    const normed = layerNorm(x, h('ln_1.weight'), h('ln_1.bias'), eps) as tf.Tensor3D; // (B, T, C), shared by both branches
    const attended = attention(model, i, normed, rope, bias, past?.[i], seed);
    if (present) present.push(attended.cache);
    const inner = gelu(linear(normed.reshape([B * T, C]), h('mlp.fc_in.weight'), h('mlp.fc_in.bias'))) as tf.Tensor2D; // (B*T, F)
    const mlp = linear(inner, h('mlp.fc_out.weight'), h('mlp.fc_out.bias')).reshape([B, T, C]); // (B, T, C)
    x = x.add(dropout(attended.out, config.dropout, seed())).add(dropout(mlp, config.dropout, seed())) as tf.Tensor3D;
  }
  const out = layerNorm(x, param(model, 'transformer.ln_f.weight'), param(model, 'transformer.ln_f.bias'), eps);
  return { hidden: out as tf.Tensor3D, present };
}

/**
 * GPT-J's rotary cos and sin, each (B|1, T, 1, R), for int32 positions (B|1, T): angle(p, j) =
 * p * base^(-2 floor(j/2) / R), each frequency repeated for two neighbouring dimensions
 * (transformers' create_sinusoidal_positions, then repeat_interleave(2)).
 */
export function interleavedRotaryEmbedding(positions: tf.Tensor2D, R: number, base: number): Rope {
  const [Bp, T] = positions.shape;
  const inverse = Float32Array.from({ length: R / 2 }, (_, j) => 1 / base ** ((2 * j) / R));
  const freqs = positions.toFloat().reshape([Bp * T, 1, 1]).mul(tf.tensor3d(inverse, [1, R / 2, 1])); // (Bp*T, R/2, 1)
  const angles = freqs.tile([1, 1, 2]).reshape([Bp, T, 1, R]); // j = 2i and 2i + 1 share frequency i
  return { cos: tf.cos(angles) as tf.Tensor4D, sin: tf.sin(angles) as tf.Tensor4D };
}

/** x cos + rotate_every_two(x) sin, rotate_every_two(x)[2i, 2i+1] = (-x[2i+1], x[2i]): x (B, T, H, R). */
export function applyInterleavedRotary(x: tf.Tensor4D, rope: Rope): tf.Tensor4D {
  const [B, T, H, R] = x.shape;
  const pairs = x.reshape([B * T * H, R / 2, 2]);
  const [even, odd] = tf.split(pairs, 2, 2); // (N, R/2, 1) each
  const turned = tf.concat([odd.neg(), even], 2).reshape([B, T, H, R]);
  return x.mul(rope.cos).add(turned.mul(rope.sin)) as tf.Tensor4D;
}

/** The rotary embedding on the first R dimensions of each head, the rest passed through: x (B, T, H, D). */
function rotate(x: tf.Tensor4D, rope: Rope): tf.Tensor4D {
  const D = x.shape[3], R = rope.cos.shape[3];
  if (R === D) return applyInterleavedRotary(x, rope);
  const [turned, passed] = tf.split(x, [R, D - R], 3) as tf.Tensor4D[];
  return tf.concat([applyInterleavedRotary(turned, rope), passed], 3) as tf.Tensor4D;
}

/** A Linear layer, weight stored [out, in], with an optional bias: x (N, in) -> (N, out). */
function linear(x: tf.Tensor2D, weight: tf.Tensor, bias?: tf.Tensor): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: weight as tf.Tensor2D, transposeB: true, bias }) as tf.Tensor2D;
}

/** Causal self-attention of layer i (no biases): x (B, T, C) -> (B, T, C), with this call's keys and values. */
function attention(
  model: GPT,
  i: number,
  x: tf.Tensor3D,
  rope: Rope,
  bias: tf.Tensor4D,
  past: LayerCache | undefined,
  seed: () => number | undefined,
): { out: tf.Tensor3D; cache: LayerCache } {
  const { nHead: H, nEmbd: C, dropout: rate } = model.config;
  const [B, T] = x.shape;
  const D = C / H;
  const p = (name: string) => param(model, `transformer.h.${i}.attn.${name}`);
  const flat = x.reshape([B * T, C]) as tf.Tensor2D;
  const q = rotate(linear(flat, p('q_proj.weight')).reshape([B, T, H, D]), rope); // (B, T, H, D)
  const k = rotate(linear(flat, p('k_proj.weight')).reshape([B, T, H, D]), rope);
  const v = linear(flat, p('v_proj.weight')).reshape([B, T, H, D]) as tf.Tensor4D;
  const key = past ? (tf.concat([past.key, k], 1) as tf.Tensor4D) : k; // (B, Tk, H, D)
  const value = past ? (tf.concat([past.value, v], 1) as tf.Tensor4D) : v;
  const scale = 1 / Math.sqrt(D);
  const dropoutSeed = seed();
  const attended = dropoutSeed === undefined
    ? scaledDotProductAttention(q, key, value, bias, scale)
    : applyAttention(dropout(attentionWeights(q, key, bias, scale), rate, dropoutSeed) as tf.Tensor4D, value);
  const out = linear(attended.reshape([B * T, C]) as tf.Tensor2D, p('out_proj.weight')).reshape([B, T, C]) as tf.Tensor3D;
  return { out, cache: { key, value } };
}
