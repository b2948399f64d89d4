/**
 * Where the sft stage starts: a new model with a tokenizer built from the train texts
 * (`model`, `tokenizer`), a model folder on disk (`init`), or an upstream stage's final
 * model (`init_stage`). Each brings its tokenizer.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UserError } from '../../errors.ts';
import { createModel, disposeModel, loadModel, loadStageModel, resolveConfig, TOKENIZER_FILE, type GPT } from '../../model/index.ts';
import { buildTokenizer, loadTokenizer, type Tokenizer, type TokenizerSettings } from '../../tokenizer/index.ts';
import type { SftSettings } from '../settings/sft.ts';
import type { StageOutput } from '../types.ts';

export interface StartingPoint {
  model: GPT;
  tokenizer: Tokenizer;
}

/** The tokenizer when `tokenizer` is left out: a word tokenizer with the schema's defaults. */
const DEFAULT_TOKENIZER: NonNullable<SftSettings['tokenizer']> = { kind: 'word', vocab_size: 8000, lowercase: true, split_punctuation: true };

export async function startingPoint(
  settings: SftSettings,
  inputs: { init_stage?: StageOutput[] },
  trainTexts: readonly string[],
  seed: number,
): Promise<StartingPoint> {
  if (settings.init !== undefined) return fromFolder(resolve(settings.init));
  if (settings.init_stage !== undefined) {
    const [upstream] = inputs.init_stage ?? [];
    if (!upstream) throw new Error(`sft: no output for init_stage ${settings.init_stage}`);
    return loadStageModel(upstream.dir, { trainable: true });
  }
  if (settings.model === undefined) throw new UserError('sft: set one of model (train from scratch), init or init_stage');
  const tokenizer = buildTokenizer(tokenizerSettings(settings.tokenizer ?? DEFAULT_TOKENIZER), trainTexts);
  const { n_layer, n_head, n_embd, context_length, dropout } = settings.model;
  const config = resolveConfig(
    { vocabSize: tokenizer.vocabSize, contextLength: context_length, nLayer: n_layer, nHead: n_head, nEmbd: n_embd, dropout },
    'sft model',
  );
  return { model: createModel(config, { seed }), tokenizer };
}

/** The schema's snake_case tokenizer settings as the tokenizer module takes them. */
function tokenizerSettings(settings: NonNullable<SftSettings['tokenizer']>): TokenizerSettings {
  if (settings.kind === 'word') {
    return { kind: 'word', vocabSize: settings.vocab_size, lowercase: settings.lowercase, splitPunctuation: settings.split_punctuation };
  }
  return { kind: settings.kind };
}

/**
 * A model folder: this project's (tokenizer.json holds a `kind`) or Hugging Face's
 * GPT-2 (its tokenizer.json is GPT-2's byte-level BPE, which the gpt2 tokenizer
 * reproduces id for id).
 */
async function fromFolder(dir: string): Promise<StartingPoint> {
  const file = join(dir, TOKENIZER_FILE);
  if (!existsSync(file)) throw new UserError(`init: ${dir} has no ${TOKENIZER_FILE}`, 'give a model folder with its tokenizer (Hugging Face: save_pretrained of the model and its tokenizer)');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const tokenizer = 'kind' in json ? loadTokenizer(json) : huggingFaceTokenizer(json, file);
  const model = await loadModel(dir, { trainable: true });
  if (tokenizer.vocabSize > model.config.vocabSize) {
    disposeModel(model);
    throw new UserError(`init: the tokenizer of ${dir} has ${tokenizer.vocabSize} tokens but the model only ${model.config.vocabSize}`);
  }
  return { model, tokenizer };
}

function huggingFaceTokenizer(json: Record<string, unknown>, file: string): Tokenizer {
  const model = json.model as { type?: unknown; vocab?: Record<string, unknown> } | undefined;
  if (model?.type !== 'BPE' || model.vocab?.['<|endoftext|>'] !== 50256) {
    throw new UserError(`${file}: not a tokenizer this project reads (its own tokenizer.json, or Hugging Face's GPT-2 byte-level BPE)`);
  }
  return buildTokenizer({ kind: 'gpt2' }, []);
}
