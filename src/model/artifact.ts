/**
 * Where a model-producing stage keeps its model: `<output>/model/` (a Hugging Face GPT-2
 * folder with tokenizer.json), and loading it back with its tokenizer.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StageError } from '../errors.ts';
import { loadTokenizer, type Tokenizer } from '../tokenizer/index.ts';
import { loadModel, TOKENIZER_FILE } from './checkpoint.ts';
import type { GPT } from './gpt.ts';

export const MODEL_DIR = 'model';

export function modelDir(outputDir: string): string {
  return join(outputDir, MODEL_DIR);
}

/** Loads a model folder (a stage's `model/`, a checkpoint, or a Hugging Face folder with tokenizer.json). */
export async function loadModelFolder(dir: string, options: { trainable: boolean }): Promise<{ model: GPT; tokenizer: Tokenizer }> {
  const tokenizerFile = join(dir, TOKENIZER_FILE);
  if (!existsSync(tokenizerFile)) throw new StageError(`${dir}: no ${TOKENIZER_FILE} beside the model`);
  const tokenizer = loadTokenizer(JSON.parse(await readFile(tokenizerFile, 'utf8')));
  const model = await loadModel(dir, options);
  if (tokenizer.vocabSize > model.config.vocabSize) {
    throw new StageError(`${dir}: the tokenizer has ${tokenizer.vocabSize} tokens but the model only ${model.config.vocabSize}`);
  }
  return { model, tokenizer };
}

/** Loads the model an upstream stage produced (its `model/` folder). */
export function loadStageModel(outputDir: string, options: { trainable: boolean }): Promise<{ model: GPT; tokenizer: Tokenizer }> {
  return loadModelFolder(modelDir(outputDir), options);
}
