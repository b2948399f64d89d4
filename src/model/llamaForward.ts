/**
 * The Llama forward pass (transformers' LlamaForCausalLM): token embedding, pre-RMSNorm
 * blocks of causal grouped-query self-attention with rotary position embeddings and a
 * SwiGLU MLP, a final RMSNorm, and the output head (tied or lm_head.weight, forward.ts's
 * outputHead). No biases; Linear weights are [out, in].
 *
 * Kernels: of the fused ones (src/backend/fused/) only scaled dot-product attention
 * applies (it is the same softmax(scale q k^T + bias) v once the key/value heads are
 * repeated); RMSNorm, the rotary embedding and SwiGLU are stock tf ops (GPT-2's LayerNorm,
 * GELU and decode-block kernels do not apply), and generation never takes the fused decoder.
 */
import * as tf from '@tensorflow/tfjs';
import { applyAttention, attentionWeights, scaledDotProductAttention } from './ops/attention.ts';
import { embedding, param, type GPT } from './gpt.ts';
import { attentionBias, dropout } from './layers.ts';
import type { ForwardOptions, LayerCache } from './forward.ts';

/**
 * The transformer body of a Llama model, as forward.ts's transformer (which checks the
 * inputs and calls this): ids (B, T) -> hidden (B, T, C) after model.norm, and with `past`
 * the keys and values of all Tpast + T positions. Positions are options.positionIds (B, T),
 * or Tpast + 0..T-1: a left-padded batch passes positions counted from each row's first
 * real token, as transformers derives them from the attention mask.
 */
export function llamaTransformer(
  model: GPT,
  ids: tf.Tensor2D,
  options: ForwardOptions,
  past: LayerCache[] | undefined,
  seed: () => number | undefined,
): { hidden: tf.Tensor3D; present?: LayerCache[] } {
  const { config } = model;
  const [B, T] = ids.shape;
  const C = config.nEmbd;
  const pastLength = past?.[0]?.key.shape[1] ?? 0;
  const Tk = pastLength + T;
  const positions = options.positionIds ?? (tf.range(pastLength, Tk, 1, 'int32').reshape([1, T]) as tf.Tensor2D); // (B|1, T)
  const rope = rotaryEmbedding(positions, C / config.nHead, config.llama!.ropeTheta);
  const bias = attentionBias(T, Tk, options.attentionMask); // (B|1, 1, T, Tk)
  let x = tf.gather(embedding(model), ids) as tf.Tensor3D; // (B, T, C)
  const present: LayerCache[] | undefined = past ? [] : undefined;
  for (let i = 0; i < config.nLayer; i++) {
    const l = (name: string) => param(model, `model.layers.${i}.${name}`);
    const attended = attention(model, i, rmsNorm(x, l('input_layernorm.weight'), config.layerNormEpsilon), rope, bias, past?.[i], seed);
    if (present) present.push(attended.cache);
    x = x.add(attended.out);
    const normed = rmsNorm(x, l('post_attention_layernorm.weight'), config.layerNormEpsilon).reshape([B * T, C]) as tf.Tensor2D;
    const gate = linear(normed, l('mlp.gate_proj.weight')); // (B*T, F)
    const mlp = linear(gate.mul(tf.sigmoid(gate)).mul(linear(normed, l('mlp.up_proj.weight'))) as tf.Tensor2D, l('mlp.down_proj.weight'));
    x = x.add(mlp.reshape([B, T, C]));
  }
  return { hidden: rmsNorm(x, param(model, 'model.norm.weight'), config.layerNormEpsilon), present };
}

/** RMSNorm over the last axis: weight * x / sqrt(mean(x^2) + eps). */
export function rmsNorm<T extends tf.Tensor>(x: T, weight: tf.Tensor, epsilon: number): T {
  return x.mul(tf.rsqrt(x.square().mean(-1, true).add(epsilon))).mul(weight) as T;
}

/** A Linear layer without bias, weight stored [out, in]: x (N, in) -> (N, out). */
function linear(x: tf.Tensor2D, weight: tf.Tensor): tf.Tensor2D {
  return tf.matMul(x, weight as tf.Tensor2D, false, true);
}

/**
 * The rotary embedding's cos and sin, each (B|1, T, 1, D), for int32 positions (B|1, T):
 * angle(p, j) = p * theta^(-2 (j mod D/2) / D), the two halves of the head repeated, as
 * transformers' LlamaRotaryEmbedding (cat(freqs, freqs)).
 */
export function rotaryEmbedding(positions: tf.Tensor2D, D: number, theta: number): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
  const [Bp, T] = positions.shape;
  const inverse = Float32Array.from({ length: D / 2 }, (_, j) => 1 / theta ** ((2 * j) / D));
  const freqs = positions.toFloat().reshape([Bp, T, 1]).mul(tf.tensor3d(inverse, [1, 1, D / 2])); // (Bp, T, D/2)
  const angles = tf.concat([freqs, freqs], 2).reshape([Bp, T, 1, D]);
  return { cos: tf.cos(angles) as tf.Tensor4D, sin: tf.sin(angles) as tf.Tensor4D };
}

/** x cos + rotate_half(x) sin, rotate_half(x) = cat(-x2, x1) on the head axis: x (B, T, H, D). */
export function applyRotary(x: tf.Tensor4D, rope: { cos: tf.Tensor4D; sin: tf.Tensor4D }): tf.Tensor4D {
  const [x1, x2] = tf.split(x, 2, 3);
  return x.mul(rope.cos).add(tf.concat([x2.neg(), x1], 3).mul(rope.sin)) as tf.Tensor4D;
}

/** Causal grouped-query self-attention of layer i: x (B, T, C) -> (B, T, C), with this call's keys and values. */
function attention(
  model: GPT,
  i: number,
  x: tf.Tensor3D,
  rope: { cos: tf.Tensor4D; sin: tf.Tensor4D },
  bias: tf.Tensor4D,
  past: LayerCache | undefined,
  seed: () => number | undefined,
): { out: tf.Tensor3D; cache: LayerCache } {
  const { nHead: H, nEmbd: C, dropout: rate } = model.config;
  const K = model.config.llama!.nKvHead;
  const [B, T] = x.shape;
  const D = C / H;
  const p = (name: string) => param(model, `model.layers.${i}.self_attn.${name}`);
  const flat = x.reshape([B * T, C]) as tf.Tensor2D;
  const q = applyRotary(linear(flat, p('q_proj.weight')).reshape([B, T, H, D]), rope); // (B, T, H, D)
  const k = applyRotary(linear(flat, p('k_proj.weight')).reshape([B, T, K, D]), rope); // (B, T, K, D)
  const v = linear(flat, p('v_proj.weight')).reshape([B, T, K, D]) as tf.Tensor4D;
  const key = past ? (tf.concat([past.key, k], 1) as tf.Tensor4D) : k; // (B, Tk, K, D)
  const value = past ? (tf.concat([past.value, v], 1) as tf.Tensor4D) : v;
  const scale = 1 / Math.sqrt(D);
  const dropoutSeed = seed();
  const [keys, values] = [repeatKv(key, H), repeatKv(value, H)]; // (B, Tk, H, D)
  const attended = dropoutSeed === undefined
    ? scaledDotProductAttention(q, keys, values, bias, scale)
    : applyAttention(dropout(attentionWeights(q, keys, bias, scale), rate, dropoutSeed) as tf.Tensor4D, values);
  const out = linear(attended.reshape([B * T, H * D]) as tf.Tensor2D, p('o_proj.weight')).reshape([B, T, C]) as tf.Tensor3D;
  return { out, cache: { key, value } };
}

/** transformers' repeat_kv on heads-last tensors: (B, Tk, K, D) -> (B, Tk, H, D), query head h reads key/value head floor(h / (H / K)). */
export function repeatKv(t: tf.Tensor4D, H: number): tf.Tensor4D {
  const [B, Tk, K, D] = t.shape;
  if (K === H) return t;
  return t.reshape([B * Tk, K, 1, D]).tile([1, 1, H / K, 1]).reshape([B, Tk, H, D]) as tf.Tensor4D; // rank 4: tfjs has no rank-5 tile gradient
}
