/**
 * The stage declarations' memory (./declarations.ts, `modelDims` and `memory`): the shapes
 * of the models each kind holds, read from its settings, a Hugging Face config.json (never
 * the weights), or the model of a stage it references. src/model/memoryEstimate.ts turns
 * them into bytes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROMPT_ALLOWANCE, type HeldModel, type MemoryNeeds, type ModelDims, type ModelOf } from '../core/memoryNeeds.ts';
import type { TokenizerSettings, TrainSettings } from '../core/settings/common.ts';
import { fromHuggingFaceConfig } from '../model/config.ts';
import { scratchConfig, type ScratchModel } from '../model/scratchConfig.ts';

/** GPT-2's byte-level BPE. */
const GPT2_VOCAB = 50257;
/** A char tokenizer's vocabulary is the corpus's characters, unknown before the data: Latin text and punctuation, with the 4 special tokens. */
const CHAR_VOCAB = 260;

/** A model trained from scratch: `model:` (of its family, GPT-2 when it names none) with the vocabulary of its tokenizer (the most it can have). */
export function scratchDims(model: ScratchModel, tokenizer: TokenizerSettings | undefined): ModelDims {
  const kind = tokenizer?.kind ?? 'word';
  const vocabSize = kind === 'gpt2' ? GPT2_VOCAB : kind === 'char' ? CHAR_VOCAB : (tokenizer?.vocab_size ?? 8000);
  return scratchConfig(model, vocabSize);
}

/** A model folder's config.json (Hugging Face GPT-2: n_layer, n_head, n_embd, n_positions, vocab_size); undefined when there is none to read. */
export function folderDims(folder: string): ModelDims | undefined {
  const file = join(resolve(folder), 'config.json');
  if (!existsSync(file)) return undefined;
  try {
    return fromHuggingFaceConfig(JSON.parse(readFileSync(file, 'utf8')), file);
  } catch {
    return undefined; // loading the model says what is wrong with it
  }
}

/**
 * The sequences whose activations one optimizer update keeps: `train.micro_batch_size`
 * where the schema has it (the update is then split into micro-batches), else batch_size;
 * `perExample` sequences each (2 for a pair).
 */
export function stepSequences(train: TrainSettings, perExample = 1): number {
  return perExample * (train.micro_batch_size ?? train.batch_size);
}

/**
 * A training stage that holds one trained model (and a frozen copy when `reference`),
 * each step forwarding `sequences` of its full context, or of `length` tokens when the
 * stage cuts them shorter (sft's max_length).
 */
export function trainingNeeds(
  dims: ModelDims | undefined,
  train: TrainSettings,
  options: { sequences: number; scalarHead: boolean; reference: boolean; length?: number },
): MemoryNeeds | undefined {
  if (!dims) return undefined;
  const models: HeldModel[] = [{ role: options.scalarHead ? 'model' : 'policy', dims, scalarHead: options.scalarHead, trains: true }];
  if (options.reference) models.push({ role: 'reference', dims, scalarHead: false, trains: false });
  return {
    models,
    optimizer: train.optimizer,
    step: [{ dims, sequences: options.sequences, length: Math.min(options.length ?? dims.contextLength, dims.contextLength), logits: !options.scalarHead }],
  };
}

/** A stage that only samples and scores: its models frozen, `sequences` sampled at once through `sampler`, each at most `length` tokens (never past the context). */
export function samplingNeeds(sampler: ModelDims | undefined, held: (HeldModel | undefined)[], sequences: number, length: number): MemoryNeeds | undefined {
  if (!sampler) return undefined;
  return { models: held.filter((m): m is HeldModel => m !== undefined), step: [], sampling: { dims: sampler, sequences, length: Math.min(length, sampler.contextLength) } };
}

/** A sampled sequence's estimated length: the prompt allowance and the completion. */
export function sampledLength(maxNewTokens: number): number {
  return PROMPT_ALLOWANCE + maxNewTokens;
}

/** A frozen model of `role` at `path` (the reward model of `reward.model`), when it has one. */
export function frozen(modelOf: ModelOf, path: string, role: string, scalarHead: boolean): HeldModel | undefined {
  const dims = modelOf(path);
  return dims && { role, dims, scalarHead, trains: false };
}
