/**
 * Where a model-producing stage keeps its model: `<output>/model/` (a Hugging Face GPT-2
 * folder with tokenizer.json), and loading it back with its tokenizer.
 */
import { join } from 'node:path';
import { StageError } from '../core/errors.ts';
import { loadTokenizerFolder, type Tokenizer } from '../tokenizer/index.ts';
import { loadModel } from './checkpoint.ts';
import type { GPT } from './gpt.ts';

export const MODEL_DIR = 'model';

export function modelDir(outputDir: string): string {
  return join(outputDir, MODEL_DIR);
}

/**
 * Loads a model folder (a stage's `model/`, a checkpoint, or a Hugging Face GPT-2 folder).
 * The tokenizer is the folder's tokenizer.json (Hugging Face's format, or dpo-run's older
 * one), or a GPT-2 folder's vocab.json and merges.txt, or GPT-2's when the vocabulary is
 * GPT-2's (50,257 tokens): src/tokenizer/tokenizerFolder.ts.
 */
export async function loadModelFolder(dir: string, options: { trainable: boolean }): Promise<{ model: GPT; tokenizer: Tokenizer }> {
  const model = await loadModel(dir, options);
  const tokenizer = await loadTokenizerFolder(dir, model.config.vocabSize);
  if (tokenizer.vocabSize > model.config.vocabSize) {
    throw new StageError(`${dir}: the tokenizer has ${tokenizer.vocabSize} tokens but the model only ${model.config.vocabSize}`);
  }
  return { model, tokenizer };
}

/** Loads the model an upstream stage produced (its `model/` folder). */
export function loadStageModel(outputDir: string, options: { trainable: boolean }): Promise<{ model: GPT; tokenizer: Tokenizer }> {
  return loadModelFolder(modelDir(outputDir), options);
}
