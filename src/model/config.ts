/**
 * The model configuration, and its mapping to and from Hugging Face's `config.json`
 * (model_type gpt2; llama: the family of SmolLM2 and TinyLlama; gpt_neox: Pythia, whose
 * mapping is neoxConfig.ts; gptj: GPT-J, whose mapping is gptjConfig.ts), so that a folder written here loads in transformers and a
 * transformers folder of each family loads here.
 */
import { UserError } from '../core/errors.ts';
import { fromGptjConfig, resolveGptj, toGptjConfig, type GptjConfig } from './gptjConfig.ts';
import { fromNeoxConfig, resolveNeox, toNeoxConfig, type NeoxConfig } from './neoxConfig.ts';

export type { GptjConfig } from './gptjConfig.ts';
export { rotaryDims, type NeoxConfig } from './neoxConfig.ts';

export interface GPTConfig {
  vocabSize: number;
  /** The longest sequence the model reads (n_positions). */
  contextLength: number;
  nLayer: number;
  nHead: number;
  /** The width C of the residual stream (n_embd); a multiple of nHead. */
  nEmbd: number;
  /** Dropout rate on embeddings, attention weights and residual branches (training only). */
  dropout: number;
  /** LayerNorm's epsilon for GPT-2 and GPT-NeoX (layer_norm_eps); RMSNorm's (rms_norm_eps) for Llama. */
  layerNormEpsilon: number;
  /** The Llama family's settings (model_type llama); absent for GPT-2. */
  llama?: LlamaConfig;
  /** The GPT-NeoX family's settings (model_type gpt_neox, Pythia); absent for the others. */
  neox?: NeoxConfig;
  /** The GPT-J family's settings (model_type gptj); absent for the others. */
  gptj?: GptjConfig;
}

/**
 * What a GPT-NeoX model adds to the shared settings (nEmbd = hidden_size, nHead =
 * num_attention_heads, contextLength = max_position_embeddings, dropout = hidden_dropout
 * and attention_dropout). Its output head is always its own embed_out.weight.
 */
/**
 * What a Llama model adds to the shared settings (nEmbd = hidden_size, nHead =
 * num_attention_heads, contextLength = max_position_embeddings, dropout = attention_dropout).
 */
export interface LlamaConfig {
  /** The SwiGLU MLP's width (intermediate_size). */
  intermediateSize: number;
  /** Key/value heads (num_key_value_heads); nHead is a multiple of it (grouped-query attention). */
  nKvHead: number;
  /** The rotary embedding's base (rope_theta). */
  ropeTheta: number;
  /** Whether the output head is the token embedding (tie_word_embeddings) or its own lm_head.weight. */
  tieWordEmbeddings: boolean;
}

export const DEFAULT_LAYER_NORM_EPSILON = 1e-5;

/** Checks a configuration and fills in the defaults; `where` names its source for the message. */
export function resolveConfig(config: Partial<GPTConfig>, where = 'model config'): GPTConfig {
  const resolved: GPTConfig = {
    vocabSize: config.vocabSize ?? NaN,
    contextLength: config.contextLength ?? NaN,
    nLayer: config.nLayer ?? NaN,
    nHead: config.nHead ?? NaN,
    nEmbd: config.nEmbd ?? NaN,
    dropout: config.dropout ?? 0,
    layerNormEpsilon: config.layerNormEpsilon ?? DEFAULT_LAYER_NORM_EPSILON,
  };
  for (const key of ['vocabSize', 'contextLength', 'nLayer', 'nHead', 'nEmbd'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] <= 0) {
      throw new UserError(`${where}: ${key} must be a positive integer, got ${config[key]}`);
    }
  }
  if (resolved.nEmbd % resolved.nHead !== 0) {
    throw new UserError(`${where}: nEmbd (${resolved.nEmbd}) must be a multiple of nHead (${resolved.nHead})`);
  }
  if (!(resolved.dropout >= 0 && resolved.dropout < 1)) {
    throw new UserError(`${where}: dropout must be in [0, 1), got ${resolved.dropout}`);
  }
  if (!(resolved.layerNormEpsilon > 0)) {
    throw new UserError(`${where}: layerNormEpsilon must be positive, got ${resolved.layerNormEpsilon}`);
  }
  if ([config.llama, config.neox, config.gptj].filter(Boolean).length > 1) throw new Error(`${where}: a model is of one family: Llama, GPT-NeoX or GPT-J`);
  if (config.llama) resolved.llama = resolveLlama(config.llama, resolved, where);
  if (config.neox) resolved.neox = resolveNeox(config.neox, resolved, where);
  if (config.gptj) resolved.gptj = resolveGptj(config.gptj, resolved, where);
  return resolved;
}

/** The family's name, for messages. */
export function familyName(config: GPTConfig): string {
  return config.llama ? 'Llama' : config.neox ? 'GPT-NeoX' : config.gptj ? 'GPT-J' : 'GPT-2';
}

function resolveLlama(llama: LlamaConfig, config: GPTConfig, where: string): LlamaConfig {
  for (const key of ['intermediateSize', 'nKvHead'] as const) {
    if (!Number.isInteger(llama[key]) || llama[key] <= 0) throw new UserError(`${where}: ${key} must be a positive integer, got ${llama[key]}`);
  }
  if (config.nHead % llama.nKvHead !== 0) {
    throw new UserError(`${where}: nHead (${config.nHead}) must be a multiple of nKvHead (${llama.nKvHead})`);
  }
  if ((config.nEmbd / config.nHead) % 2 !== 0) {
    throw new UserError(`${where}: the head size (${config.nEmbd / config.nHead}) must be even for rotary embeddings`);
  }
  if (!(llama.ropeTheta > 0)) throw new UserError(`${where}: ropeTheta must be positive, got ${llama.ropeTheta}`);
  return { intermediateSize: llama.intermediateSize, nKvHead: llama.nKvHead, ropeTheta: llama.ropeTheta, tieWordEmbeddings: llama.tieWordEmbeddings };
}

/** The special token ids that config.json names (transformers reads them for generation and for batched scoring). */
export interface SpecialTokenIds {
  bos: number;
  eos: number;
  pad: number;
}

/**
 * Hugging Face's config.json for this model (GPT2LMHeadModel, or GPT2ForSequenceClassification
 * with a scalar head), with the tokenizer's special ids when given: without them transformers
 * takes GPT-2's 50256, and a sequence classifier without pad_token_id cannot score a batch.
 */
export function toHuggingFaceConfig(config: GPTConfig, scalarHead: boolean, specialIds?: SpecialTokenIds): Record<string, unknown> {
  if (config.llama) return toLlamaConfig(config, config.llama, scalarHead, specialIds);
  if (config.neox) return toNeoxConfig(config, config.neox, scalarHead, specialIds);
  if (config.gptj) return toGptjConfig(config, config.gptj, scalarHead, specialIds);
  return {
    model_type: 'gpt2',
    architectures: [scalarHead ? 'GPT2ForSequenceClassification' : 'GPT2LMHeadModel'],
    vocab_size: config.vocabSize,
    ...(specialIds ? { bos_token_id: specialIds.bos, eos_token_id: specialIds.eos, pad_token_id: specialIds.pad } : {}),
    n_positions: config.contextLength,
    n_ctx: config.contextLength,
    n_embd: config.nEmbd,
    n_layer: config.nLayer,
    n_head: config.nHead,
    n_inner: null,
    activation_function: 'gelu_new',
    resid_pdrop: config.dropout,
    embd_pdrop: config.dropout,
    attn_pdrop: config.dropout,
    layer_norm_epsilon: config.layerNormEpsilon,
    initializer_range: 0.02,
    tie_word_embeddings: true,
    ...(scalarHead ? { num_labels: 1 } : {}),
    torch_dtype: 'float32',
  };
}

/** Hugging Face's config.json for a Llama model (LlamaForCausalLM, or LlamaForSequenceClassification with a scalar head). */
function toLlamaConfig(config: GPTConfig, llama: LlamaConfig, scalarHead: boolean, specialIds?: SpecialTokenIds): Record<string, unknown> {
  return {
    model_type: 'llama',
    architectures: [scalarHead ? 'LlamaForSequenceClassification' : 'LlamaForCausalLM'],
    vocab_size: config.vocabSize,
    ...(specialIds ? { bos_token_id: specialIds.bos, eos_token_id: specialIds.eos, pad_token_id: specialIds.pad } : {}),
    hidden_size: config.nEmbd,
    intermediate_size: llama.intermediateSize,
    num_hidden_layers: config.nLayer,
    num_attention_heads: config.nHead,
    num_key_value_heads: llama.nKvHead,
    head_dim: config.nEmbd / config.nHead,
    max_position_embeddings: config.contextLength,
    hidden_act: 'silu',
    rms_norm_eps: config.layerNormEpsilon,
    rope_theta: llama.ropeTheta,
    rope_scaling: null,
    attention_bias: false,
    mlp_bias: false,
    attention_dropout: config.dropout,
    initializer_range: 0.02,
    tie_word_embeddings: llama.tieWordEmbeddings,
    ...(scalarHead ? { num_labels: 1 } : {}),
    torch_dtype: 'float32',
  };
}

/** Reads Hugging Face's config.json (from `file`, for messages) into a GPTConfig. */
export function fromHuggingFaceConfig(json: Record<string, unknown>, file: string): GPTConfig {
  if (json.model_type === 'llama') return fromLlamaConfig(json, file);
  if (json.model_type === 'gpt_neox') return resolveConfig(fromNeoxConfig(json, file), file);
  if (json.model_type === 'gptj') return resolveConfig(fromGptjConfig(json, file), file);
  if (json.model_type !== undefined && json.model_type !== 'gpt2') {
    throw new UserError(`${file}: model_type is "${json.model_type}"; only gpt2, llama, gpt_neox and gptj models can be loaded`);
  }
  if (json.n_inner !== undefined && json.n_inner !== null && json.n_inner !== 4 * Number(json.n_embd)) {
    throw new UserError(`${file}: n_inner ${json.n_inner} is not supported (the MLP width must be 4 * n_embd)`);
  }
  const activation = json.activation_function ?? 'gelu_new';
  if (activation !== 'gelu_new' && activation !== 'gelu_pytorch_tanh') {
    throw new UserError(`${file}: activation_function "${activation}" is not supported (only the tanh GELU, gelu_new)`);
  }
  const number = (key: string) => (typeof json[key] === 'number' ? (json[key] as number) : undefined);
  return resolveConfig(
    {
      vocabSize: number('vocab_size'),
      contextLength: number('n_positions') ?? number('n_ctx'),
      nLayer: number('n_layer'),
      nHead: number('n_head'),
      nEmbd: number('n_embd'),
      dropout: number('resid_pdrop') ?? 0,
      layerNormEpsilon: number('layer_norm_epsilon'),
    },
    file,
  );
}

/** A Llama config.json; what this implementation does not compute (biases, rope scaling, other activations) is an error. */
function fromLlamaConfig(json: Record<string, unknown>, file: string): GPTConfig {
  const number = (key: string) => (typeof json[key] === 'number' ? (json[key] as number) : undefined);
  const unsupported = (what: string, hint: string) => new UserError(`${file}: ${what} is not supported`, hint);
  if ((json.hidden_act ?? 'silu') !== 'silu') throw unsupported(`hidden_act "${json.hidden_act}"`, 'only the SwiGLU MLP with silu is implemented');
  if (json.rope_scaling !== undefined && json.rope_scaling !== null) throw unsupported('rope_scaling', 'only plain rotary embeddings are implemented');
  if (json.attention_bias === true || json.mlp_bias === true) throw unsupported('attention_bias / mlp_bias', 'Llama here has no biases');
  const hidden = number('hidden_size'), heads = number('num_attention_heads');
  if (json.head_dim !== undefined && json.head_dim !== null && hidden !== undefined && heads !== undefined && json.head_dim !== hidden / heads) {
    throw unsupported(`head_dim ${json.head_dim} (hidden_size / num_attention_heads is ${hidden / heads})`, 'the head size must be hidden_size / num_attention_heads');
  }
  return resolveConfig(
    {
      vocabSize: number('vocab_size'),
      contextLength: number('max_position_embeddings'),
      nLayer: number('num_hidden_layers'),
      nHead: heads,
      nEmbd: hidden,
      dropout: number('attention_dropout') ?? 0,
      layerNormEpsilon: number('rms_norm_eps') ?? 1e-6, // transformers' LlamaConfig default
      llama: {
        intermediateSize: number('intermediate_size') ?? NaN,
        nKvHead: number('num_key_value_heads') ?? heads ?? NaN, // absent: plain multi-head attention, as transformers
        ropeTheta: number('rope_theta') ?? 10000,
        tieWordEmbeddings: json.tie_word_embeddings === true, // transformers' LlamaConfig defaults to false
      },
    },
    file,
  );
}
