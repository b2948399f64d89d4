/**
 * Tiny inputs for the PPO and best-of-N tests: a word tokenizer over a few review-like
 * texts, a 2-layer GPT, the output folders of a model stage and a dataset stage, and a
 * reward that prefers one word.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePrompts, type PromptRecord } from '../../src/data/artifacts.ts';
import { createModel, modelDir, resolveConfig, saveModel, type GPT } from '../../src/model/index.ts';
import type { Reward } from '../../src/rewards/index.ts';
import type { StageOutput } from '../../src/core/stageContract.ts';
import { buildTokenizer, type Tokenizer } from '../../src/tokenizer/index.ts';

export const TEXTS = [
  'the movie was good and the acting was fine',
  'the film was bad and the plot was dull',
  'a good story with good actors',
  'a bad story with bad actors',
  'i liked this movie a lot',
  'i hated this film from the start',
  'great fun , really great',
  'awful , just awful',
];

export const PROMPTS = ['the movie', 'the film was', 'a story', 'i liked', 'i hated this', 'great', 'awful , just', 'the acting'];

export function tinyTokenizer(): Tokenizer {
  return buildTokenizer({ kind: 'word', vocabSize: 64, lowercase: true, splitPunctuation: true }, TEXTS);
}

export function tinyModel(tokenizer: Tokenizer, seed = 1): GPT {
  return createModel(resolveConfig({ vocabSize: tokenizer.vocabSize, contextLength: 32, nLayer: 2, nHead: 2, nEmbd: 32 }), { seed });
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `dpo-run-${prefix}-`));
}

/** A model stage's output folder holding `model` and `tokenizer`. */
export async function modelStage(model: GPT, tokenizer: Tokenizer, id = 'sft'): Promise<StageOutput> {
  const dir = await tempDir('model-stage');
  await saveModel(modelDir(dir), model, tokenizer.toJSON());
  return { id, stage: id, kind: 'sft', dir, settings: {}, sweep: {} };
}

/** A dataset stage's output folder with PROMPTS as both train and test prompts. */
export async function datasetStage(): Promise<StageOutput> {
  const dir = await tempDir('dataset-stage');
  const rows: PromptRecord[] = ['train', 'test'].flatMap((split) => PROMPTS.map((prompt) => ({ prompt, completion: ' good', split: split as 'train' | 'test' })));
  await writePrompts(dir, rows);
  return { id: 'data', stage: 'data', kind: 'dataset', dir, settings: {}, sweep: {} };
}

/** The fraction of the completion's words that are `word`: a reward that prefers one token. */
export class WordFractionReward implements Reward {
  readonly kind = 'word_fraction';
  constructor(readonly word: string) {}
  async score(_prompts: readonly string[], completions: readonly string[]): Promise<number[]> {
    return completions.map((text) => {
      const words = text.split(/\s+/).filter((w) => w !== '');
      return words.length === 0 ? 0 : words.filter((w) => w === this.word).length / words.length;
    });
  }
}
