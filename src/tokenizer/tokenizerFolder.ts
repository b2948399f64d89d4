/**
 * The tokenizer of a model folder: its tokenizer.json (Hugging Face's, or dpo-run's older
 * format), else a GPT-2 folder's vocab.json and merges.txt, else GPT-2's bundled tokenizer
 * when the model's vocabulary is GPT-2's (50,257 tokens).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StageError, UserError } from '../core/errors.ts';
import { gpt2Json, gpt2Tokenizer, GPT2_VOCAB_SIZE } from './gpt2.ts';
import { loadTokenizer } from './loadTokenizer.ts';
import type { Tokenizer } from './types.ts';

const TOKENIZER_JSON = 'tokenizer.json';
const VOCAB_JSON = 'vocab.json';
const MERGES_TXT = 'merges.txt';

export async function loadTokenizerFolder(dir: string, modelVocabSize: number): Promise<Tokenizer> {
  const file = (name: string) => join(dir, name);
  if (existsSync(file(TOKENIZER_JSON))) return loadTokenizer(await readJson(file(TOKENIZER_JSON)));
  if (existsSync(file(VOCAB_JSON)) && existsSync(file(MERGES_TXT))) {
    const vocab = (await readJson(file(VOCAB_JSON))) as Record<string, number>;
    const merges = (await readFile(file(MERGES_TXT), 'utf8'))
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#version'))
      .map((line) => line.split(' ') as [string, string]);
    return loadTokenizer(gpt2Json(vocab, merges));
  }
  if (modelVocabSize === GPT2_VOCAB_SIZE) return gpt2Tokenizer();
  throw new StageError(
    `${dir}: no ${TOKENIZER_JSON} (nor ${VOCAB_JSON} and ${MERGES_TXT}) beside the model, and its vocabulary (${modelVocabSize}) is not GPT-2's`,
    `a model folder needs its tokenizer: the ${TOKENIZER_JSON} that dpo-run or transformers writes`,
  );
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UserError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}
