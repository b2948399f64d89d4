/**
 * Builds a tokenizer from the pipeline's settings and the training texts, and loads one
 * from its tokenizer.json; both dispatch on `kind` through one map.
 */
import { UserError } from '../core/errors.ts';
import { CharTokenizer, type CharTokenizerSettings } from './char.ts';
import { Gpt2Tokenizer, type Gpt2TokenizerSettings } from './gpt2.ts';
import type { Tokenizer } from './types.ts';
import { WordTokenizer, type WordTokenizerSettings } from './word.ts';

export type { Tokenizer } from './types.ts';
export { WORD_DEFAULTS } from './word.ts';

/** Resolved tokenizer settings (every default filled in). */
export type TokenizerSettings = WordTokenizerSettings | CharTokenizerSettings | Gpt2TokenizerSettings;
export type TokenizerKind = TokenizerSettings['kind'];

interface TokenizerKindEntry<S> {
  build(settings: S, trainingTexts: readonly string[]): Tokenizer;
  fromJSON(json: Record<string, unknown>): Tokenizer;
}

export const tokenizerKinds: { [K in TokenizerKind]: TokenizerKindEntry<Extract<TokenizerSettings, { kind: K }>> } = {
  word: { build: (settings, texts) => WordTokenizer.build(settings, texts), fromJSON: (json) => WordTokenizer.fromJSON(json) },
  char: { build: (settings, texts) => CharTokenizer.build(settings, texts), fromJSON: (json) => CharTokenizer.fromJSON(json) },
  gpt2: { build: () => new Gpt2Tokenizer(), fromJSON: () => new Gpt2Tokenizer() },
};

/** A new tokenizer of `settings.kind`; word and char learn their vocabulary from `trainingTexts`. */
export function buildTokenizer(settings: TokenizerSettings, trainingTexts: readonly string[]): Tokenizer {
  return kindEntry(settings.kind).build(settings as never, trainingTexts);
}

/** The tokenizer that `toJSON()` wrote (the parsed tokenizer.json). */
export function loadTokenizer(json: unknown): Tokenizer {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UserError('tokenizer.json must hold a JSON object');
  const record = json as Record<string, unknown>;
  return kindEntry(record.kind).fromJSON(record);
}

function kindEntry(kind: unknown): TokenizerKindEntry<TokenizerSettings> {
  if (typeof kind !== 'string' || !Object.hasOwn(tokenizerKinds, kind)) {
    throw new UserError(`unknown tokenizer kind ${JSON.stringify(kind)}`, `choose one of: ${Object.keys(tokenizerKinds).join(', ')}`);
  }
  return tokenizerKinds[kind as TokenizerKind] as TokenizerKindEntry<TokenizerSettings>;
}
