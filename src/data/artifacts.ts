/**
 * The `dataset` artifact: what a dataset stage writes in its output folder and how the
 * later stages read it.
 *   texts.jsonl    one {text, label?, split, prompt?} per line, in a seeded shuffled order
 *                  (prompt: the start of text that a tldr or hh_rlhf row gives as its prompt)
 *   prompts.jsonl  one {prompt, completion, split, label?} per line: a prefix of a text,
 *                  the rest of that text, and the text's split and label
 */
import { join } from 'node:path';
import { StageError } from '../core/errors.ts';
import { readJsonlObjects, writeJsonl } from '../core/io/jsonl.ts';
import { SPLITS, type Label, type Split } from './settings.ts';

export const TEXTS_FILE = 'texts.jsonl';
export const PROMPTS_FILE = 'prompts.jsonl';

export interface TextRecord {
  text: string;
  label?: Label;
  split: Split;
  /** The row's own prompt, the start of text (tldr and hh_rlhf sources). */
  prompt?: string;
}

export interface PromptRecord {
  /** The first words of a text (2 to 8 by default). */
  prompt: string;
  /** The rest of that text: the dataset's own completion of the prompt (it begins with a space). */
  completion: string;
  split: Split;
  label?: Label;
}

/** The texts of a dataset output folder, all or one split's. */
export async function readTexts(dir: string, split?: Split): Promise<TextRecord[]> {
  const rows = await readJsonlObjects(join(dir, TEXTS_FILE), (r, where): TextRecord => {
    checkString(r, 'text', where);
    return { text: r.text as string, ...labelOf(r, where), split: splitOf(r, where) };
  });
  return split === undefined ? rows : rows.filter((r) => r.split === split);
}

/** The prompts of a dataset output folder, all or one split's. */
export async function readPrompts(dir: string, split?: Split): Promise<PromptRecord[]> {
  const rows = await readJsonlObjects(join(dir, PROMPTS_FILE), (r, where): PromptRecord => {
    checkString(r, 'prompt', where);
    checkString(r, 'completion', where);
    return { prompt: r.prompt as string, completion: r.completion as string, split: splitOf(r, where), ...labelOf(r, where) };
  });
  return split === undefined ? rows : rows.filter((r) => r.split === split);
}

export async function writeTexts(dir: string, texts: TextRecord[]): Promise<void> {
  await writeJsonl(join(dir, TEXTS_FILE), texts);
}

export async function writePrompts(dir: string, prompts: PromptRecord[]): Promise<void> {
  await writeJsonl(join(dir, PROMPTS_FILE), prompts);
}

function checkString(r: Record<string, unknown>, field: string, where: string): void {
  if (typeof r[field] !== 'string') throw new StageError(`${where}: "${field}" is missing or not a string`);
}

function splitOf(r: Record<string, unknown>, where: string): Split {
  if (!SPLITS.includes(r.split as Split)) throw new StageError(`${where}: "split" must be train or test, got ${JSON.stringify(r.split)}`);
  return r.split as Split;
}

function labelOf(r: Record<string, unknown>, where: string): { label?: Label } {
  if (r.label === undefined) return {};
  if (typeof r.label === 'number' || typeof r.label === 'string') return { label: r.label };
  throw new StageError(`${where}: "label" must be a number or a string, got ${JSON.stringify(r.label)}`);
}
