/**
 * Where a model-producing stage keeps its model: `<output>/model/` (a Hugging Face GPT-2
 * folder with tokenizer.json), and loading it back with its tokenizer.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StageError } from '../core/errors.ts';
import { loadTokenizer, type Tokenizer } from '../tokenizer/index.ts';
import { loadModel, TOKENIZER_FILE } from './checkpoint.ts';
import type { GPT } from './gpt.ts';

export const MODEL_DIR = 'model';
const GPT2_VOCAB_SIZE = 50257;

export function modelDir(outputDir: string): string {
  return join(outputDir, MODEL_DIR);
}

/**
 * Loads a model folder (a stage's `model/`, a checkpoint, or a Hugging Face GPT-2 folder).
 * The tokenizer is this project's tokenizer.json; a Hugging Face folder, whose
 * tokenizer.json (if any) is in the `tokenizers` library's format, gets GPT-2's BPE when
 * its vocabulary is GPT-2's (50,257 tokens).
 */
export async function loadModelFolder(dir: string, options: { trainable: boolean }): Promise<{ model: GPT; tokenizer: Tokenizer }> {
  const model = await loadModel(dir, options);
  const tokenizer = await folderTokenizer(dir, model.config.vocabSize);
  if (tokenizer.vocabSize > model.config.vocabSize) {
    throw new StageError(`${dir}: the tokenizer has ${tokenizer.vocabSize} tokens but the model only ${model.config.vocabSize}`);
  }
  return { model, tokenizer };
}

async function folderTokenizer(dir: string, vocabSize: number): Promise<Tokenizer> {
  const tokenizerFile = join(dir, TOKENIZER_FILE);
  const json = existsSync(tokenizerFile) ? (JSON.parse(await readFile(tokenizerFile, 'utf8')) as Record<string, unknown>) : undefined;
  if (json && typeof json.kind === 'string') return loadTokenizer(json);
  if (vocabSize === GPT2_VOCAB_SIZE) return loadTokenizer({ kind: 'gpt2' });
  throw new StageError(
    `${dir}: no dpo-run ${TOKENIZER_FILE} beside the model, and its vocabulary (${vocabSize}) is not GPT-2's`,
    'a model folder needs the tokenizer.json that dpo-run writes ({"kind": "word" | "char" | "gpt2", ...})',
  );
}

/** Loads the model an upstream stage produced (its `model/` folder). */
export function loadStageModel(outputDir: string, options: { trainable: boolean }): Promise<{ model: GPT; tokenizer: Tokenizer }> {
  return loadModelFolder(modelDir(outputDir), options);
}
