/**
 * The GPT-2 configuration, and its mapping to and from Hugging Face's `config.json`
 * (model_type gpt2), so that a folder written here loads in transformers and a
 * transformers GPT-2 folder loads here.
 */
import { UserError } from '../core/errors.ts';

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
  layerNormEpsilon: number;
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
  return resolved;
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

/** Reads Hugging Face's config.json (from `file`, for messages) into a GPTConfig. */
export function fromHuggingFaceConfig(json: Record<string, unknown>, file: string): GPTConfig {
  if (json.model_type !== undefined && json.model_type !== 'gpt2') {
    throw new UserError(`${file}: model_type is "${json.model_type}"; only gpt2 models can be loaded`);
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
