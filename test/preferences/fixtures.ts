/**
 * Upstream outputs for the preference stages' tests, made on disk as the executor would
 * leave them under a runs cache (`<root>/cache/<name>/`): a tiny policy (a word tokenizer
 * and a 2-layer GPT), a dataset's prompts, and a pairs file; plus the settings a stage
 * sees, resolved against its schema (defaults filled in).
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { writePrompts, type PromptRecord } from '../../src/data/artifacts.ts';
import { createModel, disposeModel, modelDir, resolveConfig, saveModel } from '../../src/model/index.ts';
import { stageSchema } from '../../src/pipeline/schema.ts';
import { encodePair, writePairs, type PairRecord } from '../../src/data/pairs.ts';
import { dpo } from '../../src/stages/dpo.ts';
import { preferences } from '../../src/stages/preferences.ts';
import { preferred_ft } from '../../src/stages/preferredFt.ts';
import { unlikelihood } from '../../src/stages/unlikelihood.ts';
import type { StageKind, StageOutput } from '../../src/core/stageContract.ts';
import { buildTokenizer, type Tokenizer } from '../../src/tokenizer/index.ts';

export const POSITIVE = ['great', 'wonderful', 'fun', 'loved', 'excellent', 'good', 'best', 'beautiful'];
export const NEGATIVE = ['awful', 'boring', 'bad', 'hated', 'terrible', 'worst', 'dull', 'ugly'];
export const NEUTRAL = ['the', 'movie', 'film', 'was', 'plot', 'actors', 'story', 'it', 'and', 'a', 'this', 'is'];

export const CONTEXT_LENGTH = 24;

/** A folder under `<root>/cache/` (the runs cache of a test). */
export async function cacheRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'dpo-run-prefs-'));
  await mkdir(join(root, 'cache'));
  return join(root, 'cache');
}

export function wordTokenizer(): Tokenizer {
  return buildTokenizer({ kind: 'word', vocabSize: 64, lowercase: true, splitPunctuation: true }, [[...POSITIVE, ...NEGATIVE, ...NEUTRAL].join(' ')]);
}

/** A model stage's output: a tiny random GPT with the word tokenizer in `<cache>/<name>/model/`. */
export async function policyOutput(cache: string, name = 'sft', seed = 3): Promise<StageOutput> {
  const tokenizer = wordTokenizer();
  const model = createModel(resolveConfig({ vocabSize: tokenizer.vocabSize, contextLength: CONTEXT_LENGTH, nLayer: 2, nHead: 2, nEmbd: 32 }), { seed });
  const dir = join(cache, name);
  await saveModel(modelDir(dir), model, tokenizer.toJSON());
  disposeModel(model);
  return { id: name, stage: name, kind: 'sft', dir, settings: {}, sweep: {} };
}

/** A dataset stage's output holding `prompts`. */
export async function datasetOutput(cache: string, prompts: PromptRecord[]): Promise<StageOutput> {
  const dir = join(cache, 'data');
  await mkdir(dir, { recursive: true });
  await writePrompts(dir, prompts);
  return { id: 'data', stage: 'data', kind: 'dataset', dir, settings: {}, sweep: {} };
}

/**
 * Pairs whose chosen completion has positive words and rejected one negative words:
 * `train` train pairs and `test` test pairs, each prompt a few neutral words.
 */
export function sentimentPairs(train: number, test: number, tokenizer = wordTokenizer()): PairRecord[] {
  const pairs: PairRecord[] = [];
  for (let i = 0; i < train + test; i++) {
    const prompt = `${NEUTRAL[i % NEUTRAL.length]} ${NEUTRAL[(i + 3) % NEUTRAL.length]}`;
    const chosen = `${POSITIVE[i % POSITIVE.length]} ${POSITIVE[(i + 1) % POSITIVE.length]} ${NEUTRAL[i % 5]}`;
    const rejected = `${NEGATIVE[i % NEGATIVE.length]} ${NEGATIVE[(i + 2) % NEGATIVE.length]}`;
    pairs.push({ prompt, chosen, rejected, chosen_score: 1, rejected_score: 0, ...encodePair(tokenizer, { prompt, chosen, rejected }, CONTEXT_LENGTH), split: i < train ? 'train' : 'test' });
  }
  return pairs;
}

/** A preferences stage's output holding `pairs`. */
export async function pairsOutput(cache: string, pairs: PairRecord[], name = 'prefs'): Promise<StageOutput> {
  const dir = join(cache, name);
  await mkdir(dir, { recursive: true });
  await writePairs(dir, pairs, wordTokenizer());
  return { id: name, stage: name, kind: 'preferences', dir, settings: {}, sweep: {} };
}

/** `raw` validated against the kind's stage schema with the defaults filled in; throws with ajv's errors when invalid. */
export function resolveSettings<S>(kind: string, raw: Record<string, unknown>): S {
  const errors = settingsErrors(kind, raw);
  if (errors.length > 0) throw new Error(`invalid ${kind} settings: ${JSON.stringify(errors)}`);
  const settings = structuredClone({ kind, ...raw });
  validator(kind)(settings);
  return settings as S;
}

/** ajv's errors for `raw` as a stage of `kind` ([] when valid). */
export function settingsErrors(kind: string, raw: Record<string, unknown>): { instancePath: string; keyword: string; message?: string }[] {
  const validate = validator(kind);
  return validate(structuredClone({ kind, ...raw })) ? [] : (validate.errors ?? []);
}

const kinds: Record<string, StageKind> = { preferences, dpo, preferred_ft, unlikelihood };
const validators = new Map<string, ReturnType<Ajv['compile']>>();
function validator(kind: string): ReturnType<Ajv['compile']> {
  let validate = validators.get(kind);
  if (!validate) {
    validate = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true }).compile(stageSchema(kinds[kind]));
    validators.set(kind, validate);
  }
  return validate;
}
