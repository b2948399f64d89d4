/**
 * The dataset stage's settings: the resolved form (every default filled in; its type is
 * generated from schemas/dataset.schema.json), and a function that turns what a pipeline
 * says into it with the schema's defaults, so that the stage and its tests work on the
 * same form whether or not the pipeline validator has resolved the settings already.
 */
import { createRequire } from 'node:module';
import type { Ajv } from 'ajv';
import { UserError } from '../core/errors.ts';
import type { JsonSchema } from '../core/stageContract.ts';
import type { DatasetSettings } from '../core/settings/dataset.ts';

const require = createRequire(import.meta.url);

export const datasetSchema: JsonSchema = require('../../schemas/dataset.schema.json');

export type Split = 'train' | 'test';
export const SPLITS: readonly Split[] = ['train', 'test'];
export type Label = number | string;

/** The resolved settings, the type generated from the schema (`npm run schemas`). */
export type { DatasetSettings };
export type SourceSettings = DatasetSettings['source'];
export type BundledSource = Extract<SourceSettings, { kind: 'bundled' }>;
export type JsonlSource = Extract<SourceSettings, { kind: 'jsonl' }>;
export type CsvSource = Extract<SourceSettings, { kind: 'csv' }>;
export type AclImdbSource = Extract<SourceSettings, { kind: 'aclimdb' }>;
export type ImdbSource = Extract<SourceSettings, { kind: 'imdb' }>;
export type TldrSource = Extract<SourceSettings, { kind: 'tldr' }>;
export type HhRlhfSource = Extract<SourceSettings, { kind: 'hh_rlhf' }>;
export type CnnDailymailSource = Extract<SourceSettings, { kind: 'cnn_dailymail' }>;
export type PromptSettings = DatasetSettings['prompts'];

let validate: ReturnType<Ajv['compile']> | undefined;

/**
 * Validates a dataset stage's settings against its schema and fills in the schema's
 * defaults (a copy; resolving resolved settings changes nothing). Throws a UserError
 * listing every problem.
 */
export function resolveDatasetSettings(raw: Record<string, unknown>): DatasetSettings {
  validate ??= new (require('ajv') as typeof import('ajv')).Ajv({ allErrors: true, useDefaults: true }).compile(datasetSchema); // ajv loaded here: validating a pipeline needs only the schema
  const settings = structuredClone({ kind: 'dataset', ...raw });
  if (!validate(settings)) {
    const problems = (validate.errors ?? [])
      .filter((e) => e.keyword !== 'if')
      .map((e) => `${e.instancePath || '/'} ${e.message}${e.params.additionalProperty ? ` "${e.params.additionalProperty}"` : ''}`);
    throw new UserError(`invalid dataset settings: ${problems.join('; ')}`, 'See schemas/dataset.schema.json.');
  }
  const resolved = settings as unknown as DatasetSettings;
  if (resolved.prompts.max_words < resolved.prompts.min_words) {
    throw new UserError(
      `invalid dataset settings: prompts.max_words (${resolved.prompts.max_words}) is below prompts.min_words (${resolved.prompts.min_words})`,
    );
  }
  return resolved;
}
