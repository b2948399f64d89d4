/**
 * The GPT-NeoX forward pass (transformers' GPTNeoXForCausalLM, the Pythia family): token
 * embedding, blocks of LayerNorm (with biases), causal self-attention with rotary position
 * embeddings on the first rotaryDims dimensions of each head and a GELU (erf) MLP, added to
 * the residual in parallel (x + attn(ln1(x)) + mlp(ln2(x)), use_parallel_residual) or one
 * after the other, a final LayerNorm and the untied embed_out head (forward.ts's outputHead).
 * Linear weights are [out, in], with biases.
 *
 * Kernels: the fused scaled dot-product attention and LayerNorm apply; the exact GELU and
 * the rotary embedding are stock tf ops, and generation never takes the fused decoder.
 */
import * as tf from '@tensorflow/tfjs';
import { applyAttention, attentionWeights, scaledDotProductAttention } from './ops/attention.ts';
import { rotaryDims } from './config.ts';
import { embedding, param, type GPT } from './gpt.ts';
import { attentionBias, dropout, layerNorm } from './layers.ts';
import { applyRotary, rotaryEmbedding } from './llamaForward.ts';
import type { ForwardOptions, LayerCache } from './forward.ts';

type Rope = { cos: tf.Tensor4D; sin: tf.Tensor4D } | undefined;

/**
 * The transformer body of a GPT-NeoX model, as forward.ts's transformer (which checks the
 * inputs and calls this): ids (B, T) -> hidden (B, T, C) after final_layer_norm, and with
 * `past` the keys (after the rotary embedding) and values of all Tpast + T positions.
 * Positions are options.positionIds (B, T), or Tpast + 0..T-1.
 */
export function neoxTransformer(
  model: GPT,
  ids: tf.Tensor2D,
  options: ForwardOptions,
  past: LayerCache[] | undefined,
  seed: () => number | undefined,
): { hidden: tf.Tensor3D; present?: LayerCache[] } {
  const { config } = model;
  const neox = config.neox!;
  const [B, T] = ids.shape;
  const C = config.nEmbd;
  const eps = config.layerNormEpsilon;
  const pastLength = past?.[0]?.key.shape[1] ?? 0;
  const Tk = pastLength + T;
  const positions = options.positionIds ?? (tf.range(pastLength, Tk, 1, 'int32').reshape([1, T]) as tf.Tensor2D); // (B|1, T)
  const R = rotaryDims(config, neox);
  const rope = R > 0 ? rotaryEmbedding(positions, R, neox.rotaryEmbBase) : undefined;
  const bias = attentionBias(T, Tk, options.attentionMask); // (B|1, 1, T, Tk)
  let x = tf.gather(embedding(model), ids) as tf.Tensor3D; // (B, T, C)
  const present: LayerCache[] | undefined = past ? [] : undefined;
  for (let i = 0; i < config.nLayer; i++) {
    const l = (name: string) => param(model, `gpt_neox.layers.${i}.${name}`);
    const mlp = (input: tf.Tensor3D) => {
      const flat = layerNorm(input, l('post_attention_layernorm.weight'), l('post_attention_layernorm.bias'), eps).reshape([B * T, C]) as tf.Tensor2D;
      const out = linear(geluErf(linear(flat, l('mlp.dense_h_to_4h.weight'), l('mlp.dense_h_to_4h.bias'))), l('mlp.dense_4h_to_h.weight'), l('mlp.dense_4h_to_h.bias'));
      return dropout(out.reshape([B, T, C]), config.dropout, seed()) as tf.Tensor3D;
    };
    const normed = layerNorm(x, l('input_layernorm.weight'), l('input_layernorm.bias'), eps) as tf.Tensor3D;
    const attended = attention(model, i, normed, rope, R, bias, past?.[i], seed);
    if (present) present.push(attended.cache);
    const attnOut = dropout(attended.out, config.dropout, seed()) as tf.Tensor3D;
    x = neox.useParallelResidual ? x.add(attnOut).add(mlp(x)) : (() => { const y = x.add(attnOut) as tf.Tensor3D; return y.add(mlp(y)); })();
  }
  const out = layerNorm(x, param(model, 'gpt_neox.final_layer_norm.weight'), param(model, 'gpt_neox.final_layer_norm.bias'), eps);
  return { hidden: out as tf.Tensor3D, present };
}

/** GELU, exact: 0.5 x (1 + erf(x / sqrt 2)) (transformers' "gelu"). */
export function geluErf<T extends tf.Tensor>(x: T): T {
  return x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5) as T;
}

/** A Linear layer with bias, weight stored [out, in]: x (N, in) -> (N, out). */
function linear(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: weight as tf.Tensor2D, transposeB: true, bias }) as tf.Tensor2D;
}

/** The rotary embedding on the first R dimensions of each head, the rest passed through: x (B, T, H, D). */
function rotate(x: tf.Tensor4D, rope: Rope, R: number): tf.Tensor4D {
  if (!rope) return x;
  const D = x.shape[3];
  if (R === D) return applyRotary(x, rope);
  const [turned, passed] = tf.split(x, [R, D - R], 3) as tf.Tensor4D[];
  return tf.concat([applyRotary(turned, rope), passed], 3) as tf.Tensor4D;
}

/** Causal self-attention of layer i: x (B, T, C) -> (B, T, C), with this call's keys and values. */
function attention(
  model: GPT,
  i: number,
  x: tf.Tensor3D,
  rope: Rope,
  R: number,
  bias: tf.Tensor4D,
  past: LayerCache | undefined,
  seed: () => number | undefined,
): { out: tf.Tensor3D; cache: LayerCache } {
  const { nHead: H, nEmbd: C, dropout: rate } = model.config;
  const [B, T] = x.shape;
  const D = C / H;
  const p = (name: string) => param(model, `gpt_neox.layers.${i}.attention.${name}`);
  const qkv = linear(x.reshape([B * T, C]), p('query_key_value.weight'), p('query_key_value.bias')).reshape([B, T, H, 3 * D]); // per head: q, k, v
  const [q0, k0, v] = tf.split(qkv, 3, 3) as tf.Tensor4D[]; // (B, T, H, D) each
  const q = rotate(q0, rope, R);
  const k = rotate(k0, rope, R);
  const key = past ? (tf.concat([past.key, k], 1) as tf.Tensor4D) : k; // (B, Tk, H, D)
  const value = past ? (tf.concat([past.value, v], 1) as tf.Tensor4D) : v;
  const scale = 1 / Math.sqrt(D);
  const dropoutSeed = seed();
  const attended = dropoutSeed === undefined
    ? scaledDotProductAttention(q, key, value, bias, scale)
    : applyAttention(dropout(attentionWeights(q, key, bias, scale), rate, dropoutSeed) as tf.Tensor4D, value);
  const out = linear(attended.reshape([B * T, C]) as tf.Tensor2D, p('dense.weight'), p('dense.bias')).reshape([B, T, C]) as tf.Tensor3D;
  return { out, cache: { key, value } };
}
