/**
 * The tokenizer module: builds a tokenizer from the pipeline's settings and the training
 * texts, and loads one from its tokenizer.json (loadTokenizer.ts) or a model folder
 * (tokenizerFolder.ts). Every kind runs through Hugging Face's tokenizer library.
 */
import type { TokenizerSettings } from '../core/settings/common.ts';
import { tokenizerKinds, type TokenizerKindEntry, type TokenizerOptions } from './tokenizerKinds.ts';
import type { Tokenizer } from './types.ts';
import { WORD_DEFAULTS } from './word.ts';

export type { Tokenizer, TokenizerKind } from './types.ts';
export type { TokenizerJson } from './tokenizerJson.ts';
export type { TokenizerOptions } from './tokenizerKinds.ts';
export { tokenizerKinds } from './tokenizerKinds.ts';
export { WORD_DEFAULTS } from './word.ts';
export { loadTokenizer } from './loadTokenizer.ts';
export { huggingFaceTokenizerConfig } from './tokenizerConfig.ts';
export { loadTokenizerFolder } from './tokenizerFolder.ts';

/** A new tokenizer of `options.kind`; word, char and bpe learn their vocabulary from `trainingTexts`. */
export function buildTokenizer(options: TokenizerOptions, trainingTexts: readonly string[]): Tokenizer {
  return (tokenizerKinds[options.kind] as TokenizerKindEntry<TokenizerOptions>).build(options, trainingTexts);
}

/** The schema's tokenizer settings (snake_case; left out: a word tokenizer with its defaults) as buildTokenizer takes them. */
export function tokenizerOptions(settings: TokenizerSettings | undefined): TokenizerOptions {
  const kind = settings?.kind ?? 'word';
  if (kind === 'word' || kind === 'bpe') {
    const vocabSize = settings?.vocab_size ?? WORD_DEFAULTS.vocabSize;
    if (kind === 'bpe') return { kind, vocabSize };
    return { kind, vocabSize, lowercase: settings?.lowercase ?? WORD_DEFAULTS.lowercase, splitPunctuation: settings?.split_punctuation ?? WORD_DEFAULTS.splitPunctuation };
  }
  return { kind };
}

