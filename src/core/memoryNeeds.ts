/**
 * What a stage instance holds in memory at its largest, in shapes rather than bytes: the
 * models it keeps (trained or frozen), the forwards a training step backpropagates
 * through, and the sampling it does. Each stage kind's declaration says this (`memory` in
 * src/stages/declarations.ts); src/model/memoryEstimate.ts turns it into bytes. Only
 * shapes: planning a pipeline reads config files, never weights, and loads no TensorFlow.js.
 */

/** The dimensions of a GPT-2 model that its memory depends on (a subset of model/config.ts's GPTConfig). */
export interface ModelDims {
  vocabSize: number;
  /** The longest sequence (n_positions): the length a step or a sample is estimated at. */
  contextLength: number;
  nLayer: number;
  nHead: number;
  /** d_model. */
  nEmbd: number;
  /** Dropout > 0 turns the fused attention kernel off (the composed ops keep the (T, T) weights). */
  dropout: number;
  /** A Llama model's shapes beyond these (src/model/config.ts's LlamaConfig); absent for GPT-2. */
  llama?: { intermediateSize: number; nKvHead: number; ropeTheta: number; tieWordEmbeddings: boolean };
  /** A GPT-NeoX model's shapes beyond these (src/model/config.ts's NeoxConfig); absent for the others. */
  neox?: { intermediateSize: number; rotaryPct: number; rotaryEmbBase: number; useParallelResidual: boolean };
  /** A GPT-J model's shapes beyond these (src/model/gptjConfig.ts's GptjConfig); absent for the others. */
  gptj?: { intermediateSize: number; rotaryDim: number };
}

/** A model an instance keeps for its whole run. */
export interface HeldModel {
  /** What it is for: `policy`, `reference`, `value`, `reward`. */
  role: string;
  dims: ModelDims;
  /** A scalar head (reward, value, classifier) instead of, or beside, the tied LM head. */
  scalarHead: boolean;
  /** Trained: it has gradients and optimizer state. */
  trains: boolean;
}

/** One forward of a training step whose activations backprop keeps: `sequences` of `length` tokens. */
export interface TrainedForward {
  dims: ModelDims;
  sequences: number;
  length: number;
  /** Whether the forward ends in the (sequences, length, V) logits (a language model) or a scalar head. */
  logits: boolean;
}

/** Autoregressive sampling with a KV cache, `sequences` at once up to `length` tokens. */
export interface SamplingNeeds {
  dims: ModelDims;
  sequences: number;
  length: number;
}

export interface MemoryNeeds {
  models: HeldModel[];
  /** The optimizer of the trained models (`adamw`, `adam`, `rmsprop`, `sgd`); absent when nothing trains. */
  optimizer?: string;
  /** The forwards of one optimizer update, all alive at once when the gradients are taken. */
  step: TrainedForward[];
  sampling?: SamplingNeeds;
}

/** The dimensions of the model the instance referenced at `path` (`policy`, `init`, `reward.model`) holds; undefined when unknown. */
export type ModelOf = (path: string) => ModelDims | undefined;

/** The longest sequence (tokens) the output of the input at `path` holds, when its settings bound it. */
export type LengthOf = (path: string) => number | undefined;

/**
 * The prompt tokens assumed before the data exists: a sampled sequence is estimated at
 * this many plus its max_new_tokens (never past the context). The paper's IMDb prompts
 * (2 to 8 words) are about 15; a longer prompt makes the estimate low.
 */
export const PROMPT_ALLOWANCE = 128;
