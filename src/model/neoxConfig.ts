/**
 * The GPT-NeoX family's settings (model_type gpt_neox, Pythia) and their mapping to and
 * from Hugging Face's config.json (GPTNeoXConfig): nEmbd = hidden_size, nHead =
 * num_attention_heads, nLayer = num_hidden_layers, contextLength = max_position_embeddings,
 * dropout = hidden_dropout, layerNormEpsilon = layer_norm_eps. config.ts dispatches here by
 * model_type.
 */
import { UserError } from '../core/errors.ts';
import type { GPTConfig, SpecialTokenIds } from './config.ts';

export interface NeoxConfig {
  /** The GELU MLP's width (intermediate_size). */
  intermediateSize: number;
  /** The fraction of each head the rotary embedding turns (rotary_pct): its first floor(D rotaryPct) dimensions. */
  rotaryPct: number;
  /** The rotary embedding's base (rotary_emb_base). */
  rotaryEmbBase: number;
  /** x + attn(ln1(x)) + mlp(ln2(x)) (use_parallel_residual), or the sequential x + attn, then + mlp. */
  useParallelResidual: boolean;
}

/** The number of dimensions of each head the rotary embedding turns (transformers' rotary_ndims). */
export function rotaryDims(config: GPTConfig, neox: NeoxConfig): number {
  return Math.floor((config.nEmbd / config.nHead) * neox.rotaryPct);
}

export function resolveNeox(neox: NeoxConfig, config: GPTConfig, where: string): NeoxConfig {
  if (!Number.isInteger(neox.intermediateSize) || neox.intermediateSize <= 0) {
    throw new UserError(`${where}: intermediateSize must be a positive integer, got ${neox.intermediateSize}`);
  }
  if (!(neox.rotaryPct >= 0 && neox.rotaryPct <= 1)) throw new UserError(`${where}: rotaryPct must be in [0, 1], got ${neox.rotaryPct}`);
  const R = rotaryDims(config, neox);
  if (R % 2 !== 0) throw new UserError(`${where}: the rotary dimensions (head size ${config.nEmbd / config.nHead} x rotaryPct ${neox.rotaryPct} = ${R}) must be even`);
  if (!(neox.rotaryEmbBase > 0)) throw new UserError(`${where}: rotaryEmbBase must be positive, got ${neox.rotaryEmbBase}`);
  return { intermediateSize: neox.intermediateSize, rotaryPct: neox.rotaryPct, rotaryEmbBase: neox.rotaryEmbBase, useParallelResidual: neox.useParallelResidual };
}

/** Hugging Face's config.json for a GPT-NeoX model (GPTNeoXForCausalLM, or GPTNeoXForSequenceClassification with a scalar head). */
export function toNeoxConfig(config: GPTConfig, neox: NeoxConfig, scalarHead: boolean, specialIds?: SpecialTokenIds): Record<string, unknown> {
  return {
    model_type: 'gpt_neox',
    architectures: [scalarHead ? 'GPTNeoXForSequenceClassification' : 'GPTNeoXForCausalLM'],
    vocab_size: config.vocabSize,
    ...(specialIds ? { bos_token_id: specialIds.bos, eos_token_id: specialIds.eos, pad_token_id: specialIds.pad } : {}),
    hidden_size: config.nEmbd,
    intermediate_size: neox.intermediateSize,
    num_hidden_layers: config.nLayer,
    num_attention_heads: config.nHead,
    max_position_embeddings: config.contextLength,
    hidden_act: 'gelu',
    rotary_pct: neox.rotaryPct,
    rotary_emb_base: neox.rotaryEmbBase,
    rope_scaling: null,
    layer_norm_eps: config.layerNormEpsilon,
    use_parallel_residual: neox.useParallelResidual,
    attention_bias: true,
    attention_dropout: config.dropout,
    hidden_dropout: config.dropout,
    initializer_range: 0.02,
    tie_word_embeddings: false,
    ...(scalarHead ? { num_labels: 1 } : {}),
    torch_dtype: 'float32',
  };
}

/** A GPT-NeoX config.json (Pythia); what this implementation does not compute (rope scaling, other activations, no biases, a tied head) is an error. */
export function fromNeoxConfig(json: Record<string, unknown>, file: string): Partial<GPTConfig> {
  const number = (key: string) => (typeof json[key] === 'number' ? (json[key] as number) : undefined);
  const unsupported = (what: string, hint: string) => new UserError(`${file}: ${what} is not supported`, hint);
  if ((json.hidden_act ?? 'gelu') !== 'gelu') throw unsupported(`hidden_act "${json.hidden_act}"`, 'only the exact (erf) GELU, gelu, is implemented for GPT-NeoX');
  if (json.rope_scaling !== undefined && json.rope_scaling !== null) throw unsupported('rope_scaling', 'only plain rotary embeddings are implemented');
  if (json.attention_bias === false) throw unsupported('attention_bias false', 'GPT-NeoX here has attention biases');
  if (json.tie_word_embeddings === true) throw unsupported('tie_word_embeddings true', 'GPT-NeoX here has its own embed_out.weight');
  return {
    vocabSize: number('vocab_size'),
    contextLength: number('max_position_embeddings'),
    nLayer: number('num_hidden_layers'),
    nHead: number('num_attention_heads'),
    nEmbd: number('hidden_size'),
    dropout: number('hidden_dropout') ?? number('attention_dropout') ?? 0,
    layerNormEpsilon: number('layer_norm_eps') ?? 1e-5,
    neox: {
      intermediateSize: number('intermediate_size') ?? NaN,
      rotaryPct: number('rotary_pct') ?? number('partial_rotary_factor') ?? 0.25, // transformers' GPTNeoXConfig defaults
      rotaryEmbBase: number('rotary_emb_base') ?? number('rope_theta') ?? 10000,
      useParallelResidual: json.use_parallel_residual !== false,
    },
  };
}
