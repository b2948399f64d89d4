/**
 * Model checkpoints as Hugging Face GPT-2 folders: `config.json` (with the tokenizer's
 * bos, eos and pad ids), `model.safetensors` (float32, names as in gpt.ts; sharded with
 * model.safetensors.index.json past a maximum shard size, weightFiles.ts) and, when a
 * tokenizer is given, its `tokenizer.json` and transformers' `tokenizer_config.json`. A
 * folder written here loads in transformers (GPT2LMHeadModel, or
 * GPT2ForSequenceClassification with a scalar head; AutoTokenizer), and a transformers
 * GPT-2 folder loads here as it is. A Llama folder (model_type llama: LlamaForCausalLM's
 * names, see llamaParams.ts) and a GPT-NeoX (Pythia) folder (model_type gpt_neox, see
 * neoxParams.ts) and a GPT-J folder (model_type gptj, see gptjParams.ts) load and save the
 * same way. A sharded folder (model.safetensors.index.json
 * and its shards, as transformers writes large models) loads too.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/io/atomicFile.ts';
import { UserError } from '../core/errors.ts';
import { huggingFaceTokenizerConfig, loadTokenizer } from '../tokenizer/index.ts';
import { familyName, fromHuggingFaceConfig, toHuggingFaceConfig, type GPTConfig } from './config.ts';
import { modelFromReads, parameterShapes, SCORE_WEIGHT, type GPT } from './gpt.ts';
import { openSafetensors, type SafetensorsReader } from './safetensors.ts';
import { MAX_SHARD_BYTES, WEIGHTS_FILE, WEIGHTS_INDEX_FILE, writeWeights } from './weightFiles.ts';

export { MAX_SHARD_BYTES, WEIGHTS_FILE, WEIGHTS_INDEX_FILE } from './weightFiles.ts';
export const CONFIG_FILE = 'config.json';
export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';

/**
 * Writes `model` into `dir`, each file atomically; with `tokenizerJson` (a tokenizer's
 * toJSON(), or dpo-run's older tokenizer.json, which is written in Hugging Face's format)
 * the tokenizer's files too, and its special ids in config.json. Weights past
 * `maxShardBytes` (transformers' "5GB" by default) are written as shards with their index.
 */
export async function saveModel(
  dir: string,
  model: GPT,
  tokenizerJson?: Record<string, unknown>,
  options: { maxShardBytes?: number } = {},
): Promise<void> {
  const tokenizer = tokenizerJson === undefined ? undefined : loadTokenizer(tokenizerJson);
  if (tokenizer && tokenizer.vocabSize > model.config.vocabSize) {
    throw new Error(`saveModel: the tokenizer has ${tokenizer.vocabSize} tokens but the model only ${model.config.vocabSize}`);
  }
  await mkdir(dir, { recursive: true });
  await writeWeights(dir, model, options.maxShardBytes ?? MAX_SHARD_BYTES);
  const config = toHuggingFaceConfig(model.config, model.scalarHead, tokenizer);
  await writeFileAtomic(join(dir, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
  if (tokenizer) {
    await writeFileAtomic(join(dir, TOKENIZER_FILE), JSON.stringify(tokenizer.toJSON()) + '\n');
    const tokenizerConfig = huggingFaceTokenizerConfig(tokenizer, model.config.contextLength);
    await writeFileAtomic(join(dir, TOKENIZER_CONFIG_FILE), JSON.stringify(tokenizerConfig, null, 2) + '\n');
  }
}

/**
 * Reads a model folder written by saveModel or by Hugging Face transformers (GPT-2).
 * Names without the `transformer.` prefix are accepted, a tied `lm_head.weight` and the
 * `attn.bias`/`attn.masked_bias` buffers are skipped; a `score.weight` makes a scalar head.
 */
export async function loadModel(dir: string, options: { trainable?: boolean } = {}): Promise<GPT> {
  const configFile = join(dir, CONFIG_FILE);
  if (!existsSync(configFile)) throw new UserError(`${dir}: no ${CONFIG_FILE}; this is not a model folder`);
  const single = join(dir, WEIGHTS_FILE);
  const indexFile = join(dir, WEIGHTS_INDEX_FILE);
  if (!existsSync(single) && !existsSync(indexFile)) {
    throw new UserError(`${dir}: no ${WEIGHTS_FILE} (nor ${WEIGHTS_INDEX_FILE})`, 'only safetensors weights are read; convert a pytorch_model.bin with transformers (save_pretrained)');
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(configFile, 'utf8'));
  } catch (error) {
    throw new UserError(`${configFile}: not valid JSON (${(error as Error).message})`);
  }
  const config = fromHuggingFaceConfig(json, configFile);
  const weightsFile = existsSync(single) ? single : indexFile; // names the weights in messages
  const shards = existsSync(single) ? [await openSafetensors(single)] : await openShards(dir, indexFile);
  try {
    const sources = new Map<string, { stored: string; shard: SafetensorsReader }>(); // our name -> where it is stored
    for (const shard of shards) {
      for (const stored of shard.tensors.keys()) {
        const name = config.llama ? llamaName(stored, config) : config.neox ? neoxName(stored) : config.gptj ? gptjName(stored) : ourName(stored);
        if (name !== undefined) sources.set(name, { stored, shard });
      }
    }
    const scalarHead = sources.has(SCORE_WEIGHT);
    const shapes = parameterShapes(config, scalarHead);
    const missing = [...shapes.keys()].filter((name) => !sources.has(name));
    if (missing.length > 0) {
      throw new UserError(`${weightsFile}: missing ${missing.length} tensor(s) the config requires: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
    }
    const unknown = [...sources.keys()].filter((name) => !shapes.has(name));
    if (unknown.length > 0) throw new UserError(`${weightsFile}: tensors this ${familyName(config)} does not have: ${unknown.slice(0, 5).join(', ')}`);
    for (const [name, shape] of shapes) {
      const { stored, shard } = sources.get(name)!;
      const actual = shard.tensors.get(stored)!.shape;
      if (actual.join(',') !== shape.join(',')) {
        throw new UserError(`${weightsFile}: tensor ${stored} has shape [${actual}], but ${configFile} implies [${shape}]`);
      }
    }
    // One tensor at a time, read by its offset and made a variable before the next.
    const read = (name: string) => sources.get(name)!.shard.read(sources.get(name)!.stored);
    return await modelFromReads(config, read, { scalarHead, trainable: options.trainable ?? true });
  } finally {
    await Promise.all(shards.map((shard) => shard.close()));
  }
}

/**
 * Opens the shards a model.safetensors.index.json names, each keeping only the tensors the
 * index assigns to it; a missing shard, or a tensor the index names that its shard lacks, is an error.
 */
async function openShards(dir: string, indexFile: string): Promise<SafetensorsReader[]> {
  let index: { weight_map?: unknown };
  try {
    index = JSON.parse(await readFile(indexFile, 'utf8'));
  } catch (error) {
    throw new UserError(`${indexFile}: not valid JSON (${(error as Error).message})`);
  }
  const weightMap = index.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Object.values(weightMap).some((f) => typeof f !== 'string')) {
    throw new UserError(`${indexFile}: no weight_map of tensor names to shard files`);
  }
  const byShard = new Map<string, string[]>();
  for (const [tensor, shard] of Object.entries(weightMap as Record<string, string>)) byShard.set(shard, [...(byShard.get(shard) ?? []), tensor]);
  for (const shard of byShard.keys()) {
    if (!existsSync(join(dir, shard))) throw new UserError(`${indexFile}: shard ${shard} (holding ${byShard.get(shard)![0]}, ...) is missing from ${dir}`);
  }
  const readers: SafetensorsReader[] = [];
  try {
    for (const [shard, names] of byShard) {
      const reader = await openSafetensors(join(dir, shard));
      readers.push(reader);
      const lacking = names.find((name) => !reader.tensors.has(name));
      if (lacking !== undefined) throw new UserError(`${indexFile}: tensor ${lacking} is assigned to ${shard}, which does not hold it`);
      const wanted = new Set(names);
      for (const name of [...reader.tensors.keys()]) if (!wanted.has(name)) reader.tensors.delete(name);
    }
    return readers;
  } catch (error) {
    await Promise.all(readers.map((reader) => reader.close()));
    throw error;
  }
}

/** Our parameter name for a tensor stored in a Hugging Face file, or undefined to skip it. */
function ourName(stored: string): string | undefined {
  if (/\.attn\.(masked_)?bias$/.test(stored)) return undefined; // causal-mask buffers
  if (stored === 'lm_head.weight') return undefined; // tied to wte
  if (stored === SCORE_WEIGHT || stored.startsWith('transformer.')) return stored;
  return `transformer.${stored}`; // GPT2Model saves without the prefix
}

/**
 * Our name for a tensor in a Llama file (the same name), or undefined to skip it: the
 * rotary `inv_freq` buffers older transformers saved, and a tied model's copy of lm_head.weight.
 */
function llamaName(stored: string, config: GPTConfig): string | undefined {
  if (stored.endsWith('.rotary_emb.inv_freq')) return undefined;
  if (stored === 'lm_head.weight' && config.llama!.tieWordEmbeddings) return undefined;
  return stored;
}

/**
 * Our name for a tensor in a GPT-NeoX file (the same name), or undefined to skip it: the
 * causal-mask (`attention.bias`, `attention.masked_bias`) and rotary `inv_freq` buffers older transformers saved.
 */
function neoxName(stored: string): string | undefined {
  if (/\.attention\.(masked_)?bias$/.test(stored) || stored.endsWith('.rotary_emb.inv_freq')) return undefined;
  return stored;
}

/**
 * Our name for a tensor in a GPT-J file (the same name), or undefined to skip it: the
 * causal-mask buffers (`attn.bias`, `attn.masked_bias`) some transformers checkpoints hold.
 */
function gptjName(stored: string): string | undefined {
  return /\.attn\.(masked_)?bias$/.test(stored) ? undefined : stored;
}
