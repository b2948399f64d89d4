/**
 * The GPT-2 forward pass: learned position embeddings, pre-LayerNorm blocks of causal
 * self-attention and a GELU MLP, a final LayerNorm, and an output head tied to the token
 * embedding; a Llama model's body is llamaForward.ts, a GPT-NeoX model's neoxForward.ts,
 * a GPT-J model's gptjForward.ts, behind the same functions. Call
 * these inside tf.tidy; the results belong to the caller.
 */
import * as tf from '@tensorflow/tfjs';
import { applyAttention, attentionWeights, scaledDotProductAttention } from './ops/attention.ts';
import { UserError } from '../core/errors.ts';
import type { Random } from '../core/random.ts';
import { outputBias, outputWeight, param, SCORE_WEIGHT, type GPT } from './gpt.ts';
import { llamaTransformer } from './llamaForward.ts';
import { neoxTransformer } from './neoxForward.ts';
import { gptjTransformer } from './gptjForward.ts';
import { attentionBias, conv1d, dropout, gelu, layerNorm } from './layers.ts';

export interface ForwardOptions {
  /** Dropout is applied only when training and config.dropout > 0. */
  training?: boolean;
  /** (B, Tk) 1 for real tokens, 0 for padding; Tk counts cached positions too. Padded keys are not attended to. */
  attentionMask?: tf.Tensor2D;
  /** (B, T) int32 positions of the tokens; default past length + 0..T-1 for every row. */
  positionIds?: tf.Tensor2D;
  /** Draws the dropout masks; required when dropout is active. */
  random?: Random;
}

/**
 * One layer's cached keys and values, each (B, Tpast, nHead, headSize): heads last, as the
 * projection makes them (Llama: nKvHead heads, keys after the rotary embedding).
 */
export type LayerCache = {
  key: tf.Tensor4D;
  value: tf.Tensor4D;
};

/** Logits over the vocabulary: ids (B, T) int32 -> (B, T, V). */
export function logits(model: GPT, ids: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
  return outputHead(model, transformer(model, ids, options).hidden);
}

/** The final hidden states (after ln_f): ids (B, T) int32 -> (B, T, C). */
export function hidden(model: GPT, ids: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
  return transformer(model, ids, options).hidden;
}

/**
 * The scalar head's output at every position: ids (B, T) int32 -> (B, T). A reward
 * model reads it at each sequence's last real token.
 */
export function scores(model: GPT, ids: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor2D {
  return scalarHead(model, transformer(model, ids, options).hidden);
}

/**
 * The scalar head at each row's last real token, for a right-padded batch (a reward
 * model's r(x, y)): ids (B, T) int32, attentionMask (B, T) -> (B,).
 */
export function lastTokenScores(model: GPT, ids: tf.Tensor2D, attentionMask: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor1D {
  const T = ids.shape[1];
  const all = scores(model, ids, { ...options, attentionMask }); // (B, T)
  const last = attentionMask.sum(1).sub(1).toInt() as tf.Tensor1D; // (B,)
  return all.mul(tf.oneHot(last, T)).sum(1);
}

/** hidden (B, T, C) -> logits (B, T, V) through the tied embedding, h @ wte^T (or the untied head, + GPT-J's lm_head.bias). */
export function outputHead(model: GPT, hiddenStates: tf.Tensor3D): tf.Tensor3D {
  const [B, T, C] = hiddenStates.shape;
  const wte = outputWeight(model);
  const bias = outputBias(model);
  const flat = hiddenStates.reshape([B * T, C]) as tf.Tensor2D;
  const out = bias ? tf.fused.matMul({ a: flat, b: wte, transposeB: true, bias }) : tf.matMul(flat, wte, false, true);
  return out.reshape([B, T, model.config.vocabSize]);
}

/** hidden (B, T, C) -> (B, T) through score.weight (1, C). */
export function scalarHead(model: GPT, hiddenStates: tf.Tensor3D): tf.Tensor2D {
  if (!model.scalarHead) throw new Error('this model has no scalar head (score.weight); use withScalarHead');
  const [B, T, C] = hiddenStates.shape;
  return tf.matMul(hiddenStates.reshape([B * T, C]), param(model, SCORE_WEIGHT), false, true).reshape([B, T]);
}

/**
 * The transformer body. With `past` (one LayerCache per layer, or [] for none yet), the
 * T tokens follow the cached positions and `present` holds the keys and values of all
 * Tpast + T positions, for the next call.
 */
export function transformer(
  model: GPT,
  ids: tf.Tensor2D,
  options: ForwardOptions = {},
  past?: LayerCache[],
): { hidden: tf.Tensor3D; present?: LayerCache[] } {
  const { config } = model;
  const [B, T] = ids.shape;
  const pastLength = past?.[0]?.key.shape[1] ?? 0;
  const Tk = pastLength + T;
  checkInputs(model, ids, options, Tk);
  const active = options.training === true && config.dropout > 0;
  if (active && !options.random) throw new Error('training with dropout needs options.random to draw the dropout masks');
  const seed = () => (active ? options.random!.nextUint32() : undefined);
  if (config.llama) return llamaTransformer(model, ids, options, past, seed);
  if (config.neox) return neoxTransformer(model, ids, options, past, seed);
  if (config.gptj) return gptjTransformer(model, ids, options, past, seed);

  const positions = options.positionIds ?? tf.range(pastLength, Tk, 1, 'int32');
  const tokens = tf.gather(param(model, 'transformer.wte.weight'), ids); // (B, T, C)
  let x = dropout(tokens.add(tf.gather(param(model, 'transformer.wpe.weight'), positions)), config.dropout, seed()) as tf.Tensor3D;
  const bias = attentionBias(T, Tk, options.attentionMask); // (B|1, 1, T, Tk)
  const present: LayerCache[] | undefined = past ? [] : undefined;
  for (let i = 0; i < config.nLayer; i++) {
    const h = (name: string) => param(model, `transformer.h.${i}.${name}`);
    const normed = layerNorm(x, h('ln_1.weight'), h('ln_1.bias'), config.layerNormEpsilon) as tf.Tensor3D;
    const attended = attention(model, i, normed, bias, past?.[i], seed);
    if (present) present.push(attended.cache);
    x = x.add(dropout(attended.out, config.dropout, seed()));
    const normed2 = layerNorm(x, h('ln_2.weight'), h('ln_2.bias'), config.layerNormEpsilon).reshape([B * T, config.nEmbd]) as tf.Tensor2D;
    const mlp = conv1d(gelu(conv1d(normed2, h('mlp.c_fc.weight'), h('mlp.c_fc.bias'))) as tf.Tensor2D, h('mlp.c_proj.weight'), h('mlp.c_proj.bias'));
    x = x.add(dropout(mlp.reshape([B, T, config.nEmbd]), config.dropout, seed()));
  }
  const out = layerNorm(x, param(model, 'transformer.ln_f.weight'), param(model, 'transformer.ln_f.bias'), config.layerNormEpsilon);
  return { hidden: out as tf.Tensor3D, present };
}

/** Causal self-attention of layer i: x (B, T, C) -> (B, T, C), with this call's keys and values. */
function attention(
  model: GPT,
  i: number,
  x: tf.Tensor3D,
  bias: tf.Tensor4D,
  past: LayerCache | undefined,
  seed: () => number | undefined,
): { out: tf.Tensor3D; cache: LayerCache } {
  const { nHead, nEmbd: C, dropout: rate } = model.config;
  const [B, T] = x.shape;
  const headSize = C / nHead;
  const h = (name: string) => param(model, `transformer.h.${i}.attn.${name}`);
  const qkv = conv1d(x.reshape([B * T, C]), h('c_attn.weight'), h('c_attn.bias')); // (B*T, 3C)
  const [q, k, v] = tf.split(qkv, 3, 1).map((t) => t.reshape([B, T, nHead, headSize]) as tf.Tensor4D); // (B, T, nH, hs), heads last
  const key = past ? tf.concat([past.key, k], 1) : k; // (B, Tk, nH, hs)
  const value = past ? tf.concat([past.value, v], 1) : v;
  const scale = 1 / Math.sqrt(headSize);
  const dropoutSeed = seed();
  const attended = dropoutSeed === undefined
    ? scaledDotProductAttention(q, key, value, bias, scale)
    : applyAttention(dropout(attentionWeights(q, key, bias, scale), rate, dropoutSeed) as tf.Tensor4D, value); // (B, T, nH, hs)
  const y = attended.reshape([B * T, C]) as tf.Tensor2D; // (B*T, C)
  const out = conv1d(y, h('c_proj.weight'), h('c_proj.bias')).reshape([B, T, C]) as tf.Tensor3D;
  return { out, cache: { key, value } };
}

function checkInputs(model: GPT, ids: tf.Tensor2D, options: ForwardOptions, Tk: number): void {
  const [B, T] = ids.shape;
  if (ids.rank !== 2 || ids.dtype !== 'int32') {
    throw new Error(`token ids must be an int32 tensor of shape (B, T), got ${ids.dtype} [${ids.shape}]`);
  }
  if (Tk > model.config.contextLength) {
    throw new UserError(
      `cannot forward a sequence of length ${Tk}: the model's context is ${model.config.contextLength}`,
      'shorten the prompts or responses (a max length setting), or use a model with a longer context',
    );
  }
  const mask = options.attentionMask;
  if (mask && (mask.shape[0] !== B || mask.shape[1] !== Tk)) {
    throw new Error(`attentionMask must be (${B}, ${Tk}), got [${mask.shape}]`);
  }
  const positions = options.positionIds;
  if (positions && (positions.dtype !== 'int32' || positions.shape[0] !== B || positions.shape[1] !== T)) {
    throw new Error(`positionIds must be int32 (${B}, ${T}), got ${positions.dtype} [${positions.shape}]`);
  }
}
