/**
 * A model trained from scratch, as a stage's `model:` block says it (schemas/sft.schema.json):
 * its `family`, named as Hugging Face's model_type, and the family's own settings, each
 * with the default the schema states. scratchConfig turns the block into the model's
 * (unresolved) GPTConfig; familyKeyProblems names the settings given to the wrong family.
 * No TensorFlow.js: the memory estimate reads it while planning.
 */
import { DEFAULT_LAYER_NORM_EPSILON, type GPTConfig } from './config.ts';

export const FAMILIES = ['gpt2', 'llama', 'gpt_neox', 'gptj'] as const;
export type Family = (typeof FAMILIES)[number];

/** The `model:` block of a model trained from scratch. */
export interface ScratchModel {
  family?: Family;
  n_layer: number;
  n_head: number;
  n_embd: number;
  context_length: number;
  dropout?: number;
  intermediate_size?: number;
  n_kv_head?: number;
  rotary_pct?: number;
  parallel_residual?: boolean;
  rotary_dim?: number;
}

/** Each family-specific setting and the families it belongs to. */
export const FAMILY_KEYS: Record<string, readonly Family[]> = {
  intermediate_size: ['llama', 'gpt_neox', 'gptj'],
  n_kv_head: ['llama'],
  rotary_pct: ['gpt_neox'],
  parallel_residual: ['gpt_neox'],
  rotary_dim: ['gptj'],
};

/** Pythia's rotary_pct. */
export const DEFAULT_ROTARY_PCT = 0.25;
/** The rotary base of every family here (Llama's rope_theta, GPT-NeoX's rotary_emb_base, GPT-J's fixed one). */
const ROTARY_BASE = 10000;
/** RMSNorm's epsilon of a new Llama (transformers' LlamaConfig default). */
const LLAMA_RMS_NORM_EPS = 1e-6;

/** Llama's MLP width: 2/3 of 4 C (three matrices in place of two), rounded up to a multiple of 8. */
export function llamaIntermediateSize(nEmbd: number): number {
  return 8 * Math.ceil(Math.floor((8 * nEmbd) / 3) / 8);
}

/** GPT-J's rotary_dim by default: a quarter of the head size D, rounded to an even number, at least 2 (GPT-J 6B: 64 of 256). */
export function defaultRotaryDim(headSize: number): number {
  return Math.max(2, 2 * Math.round(headSize / 8));
}

/** The GPTConfig (not yet resolved: resolveConfig checks it) of a new model of `model.family` over `vocabSize` tokens. */
export function scratchConfig(model: ScratchModel, vocabSize: number): GPTConfig {
  const C = model.n_embd;
  const base: GPTConfig = {
    vocabSize,
    contextLength: model.context_length,
    nLayer: model.n_layer,
    nHead: model.n_head,
    nEmbd: C,
    dropout: model.dropout ?? 0,
    layerNormEpsilon: DEFAULT_LAYER_NORM_EPSILON,
  };
  switch (model.family ?? 'gpt2') {
    case 'gpt2':
      return base;
    case 'llama':
      return {
        ...base,
        layerNormEpsilon: LLAMA_RMS_NORM_EPS,
        llama: { intermediateSize: model.intermediate_size ?? llamaIntermediateSize(C), nKvHead: model.n_kv_head ?? model.n_head, ropeTheta: ROTARY_BASE, tieWordEmbeddings: false },
      };
    case 'gpt_neox':
      return {
        ...base,
        neox: { intermediateSize: model.intermediate_size ?? 4 * C, rotaryPct: model.rotary_pct ?? DEFAULT_ROTARY_PCT, rotaryEmbBase: ROTARY_BASE, useParallelResidual: model.parallel_residual ?? true },
      };
    case 'gptj':
      return { ...base, gptj: { intermediateSize: model.intermediate_size ?? 4 * C, rotaryDim: model.rotary_dim ?? defaultRotaryDim(C / model.n_head) } };
  }
}

/** The settings of `model` that belong to another family than its own, each with a message saying whose it is. */
export function familyKeyProblems(model: Record<string, unknown>): { key: string; message: string }[] {
  const family = typeof model.family === 'string' ? model.family : 'gpt2';
  if (!(FAMILIES as readonly string[]).includes(family)) return []; // the schema's enum reports it
  return Object.entries(FAMILY_KEYS)
    .filter(([key, families]) => Object.hasOwn(model, key) && !families.includes(family as Family))
    .map(([key, families]) => {
      const whose = families.length === 1 ? families[0] : `${families.slice(0, -1).join(', ')} or ${families.at(-1)}`;
      return { key, message: `${key} is a setting of family ${whose} only, and this model's family is ${family}: remove ${key} or set family to ${whose}` };
    });
}
