/**
 * The GPT-J family's settings (model_type gptj, EleutherAI's GPT-J 6B) and their mapping to
 * and from Hugging Face's config.json (GPTJConfig): nEmbd = n_embd, nHead = n_head, nLayer =
 * n_layer, contextLength = n_positions, dropout = resid_pdrop (embd_pdrop, attn_pdrop alike),
 * layerNormEpsilon = layer_norm_epsilon. config.ts dispatches here by model_type.
 */
import { UserError } from '../core/errors.ts';
import type { GPTConfig, SpecialTokenIds } from './config.ts';

/** What a GPT-J model adds to the shared settings. Its output head is always its own lm_head (weight and bias). */
export interface GptjConfig {
  /** The GELU MLP's width (n_inner; null in config.json means 4 nEmbd). */
  intermediateSize: number;
  /** The dimensions of each query and key head the (interleaved) rotary embedding turns, the first rotaryDim (rotary_dim). */
  rotaryDim: number;
}

/** transformers' GPTJConfig default for rotary_dim. */
const DEFAULT_ROTARY_DIM = 64;
/** GPT-J's rotary base, fixed in transformers' create_sinusoidal_positions (not a config.json setting). */
export const GPTJ_ROTARY_BASE = 10000;

export function resolveGptj(gptj: GptjConfig, config: GPTConfig, where: string): GptjConfig {
  if (!Number.isInteger(gptj.intermediateSize) || gptj.intermediateSize <= 0) {
    throw new UserError(`${where}: intermediateSize must be a positive integer, got ${gptj.intermediateSize}`);
  }
  const D = config.nEmbd / config.nHead;
  if (!Number.isInteger(gptj.rotaryDim) || gptj.rotaryDim <= 0 || gptj.rotaryDim % 2 !== 0 || gptj.rotaryDim > D) {
    throw new UserError(`${where}: rotaryDim (rotary_dim) must be an even number from 2 to the head size ${D}, got ${gptj.rotaryDim}`);
  }
  return { intermediateSize: gptj.intermediateSize, rotaryDim: gptj.rotaryDim };
}

/** Hugging Face's config.json for a GPT-J model (GPTJForCausalLM, or GPTJForSequenceClassification with a scalar head). */
export function toGptjConfig(config: GPTConfig, gptj: GptjConfig, scalarHead: boolean, specialIds?: SpecialTokenIds): Record<string, unknown> {
  return {
    model_type: 'gptj',
    architectures: [scalarHead ? 'GPTJForSequenceClassification' : 'GPTJForCausalLM'],
    vocab_size: config.vocabSize,
    ...(specialIds ? { bos_token_id: specialIds.bos, eos_token_id: specialIds.eos, pad_token_id: specialIds.pad } : {}),
    n_positions: config.contextLength,
    n_embd: config.nEmbd,
    n_layer: config.nLayer,
    n_head: config.nHead,
    rotary_dim: gptj.rotaryDim,
    n_inner: gptj.intermediateSize === 4 * config.nEmbd ? null : gptj.intermediateSize,
    activation_function: 'gelu_new',
    resid_pdrop: config.dropout,
    embd_pdrop: config.dropout,
    attn_pdrop: config.dropout,
    layer_norm_epsilon: config.layerNormEpsilon,
    initializer_range: 0.02,
    tie_word_embeddings: false,
    ...(scalarHead ? { num_labels: 1 } : {}),
    torch_dtype: 'float32',
  };
}

/**
 * A GPT-J config.json, unresolved (config.ts resolves it); what this implementation does not
 * compute (another activation, a tied head, rotary_dim null) is an error naming `file`.
 */
export function fromGptjConfig(json: Record<string, unknown>, file: string): Partial<GPTConfig> {
  const number = (key: string) => (typeof json[key] === 'number' ? (json[key] as number) : undefined);
  const unsupported = (what: string, hint: string) => new UserError(`${file}: ${what} is not supported`, hint);
  const activation = json.activation_function ?? 'gelu_new';
  if (activation !== 'gelu_new' && activation !== 'gelu_pytorch_tanh') throw unsupported(`activation_function "${activation}"`, 'only the tanh GELU, gelu_new, is implemented for GPT-J');
  if (json.tie_word_embeddings === true) throw unsupported('tie_word_embeddings true', 'GPT-J here has its own lm_head.weight and lm_head.bias');
  if (json.rotary_dim === null) throw unsupported('rotary_dim null', 'give rotary_dim, the dimensions of each head the rotary embedding turns (64 in GPT-J 6B)');
  const nEmbd = number('n_embd');
  return {
    vocabSize: number('vocab_size'),
    contextLength: number('n_positions'),
    nLayer: number('n_layer'),
    nHead: number('n_head'),
    nEmbd,
    dropout: number('resid_pdrop') ?? number('embd_pdrop') ?? number('attn_pdrop') ?? 0,
    layerNormEpsilon: number('layer_norm_epsilon') ?? 1e-5,
    gptj: {
      intermediateSize: number('n_inner') ?? (nEmbd === undefined ? NaN : 4 * nEmbd), // n_inner null or absent: 4 n_embd, as transformers
      rotaryDim: json.rotary_dim === undefined ? DEFAULT_ROTARY_DIM : (number('rotary_dim') ?? NaN),
    },
  };
}
