/**
 * The tokenizer kinds, one map: how each is built from the training texts and made from
 * its Hugging Face tokenizer.json.
 */
import { BpeTokenizer, type BpeTokenizerSettings } from './bpe.ts';
import { CharTokenizer, type CharTokenizerSettings } from './char.ts';
import { gpt2Tokenizer, type Gpt2TokenizerSettings } from './gpt2.ts';
import type { TokenizerJson } from './tokenizerJson.ts';
import type { Tokenizer, TokenizerKind } from './types.ts';
import { WordTokenizer, type WordTokenizerSettings } from './word.ts';

/** What building a tokenizer takes (every default filled in). */
export type TokenizerOptions = WordTokenizerSettings | CharTokenizerSettings | BpeTokenizerSettings | Gpt2TokenizerSettings;

export interface TokenizerKindEntry<S> {
  build(options: S, trainingTexts: readonly string[]): Tokenizer;
  fromJson(json: TokenizerJson): Tokenizer;
}

export const tokenizerKinds: { [K in TokenizerKind]: TokenizerKindEntry<Extract<TokenizerOptions, { kind: K }>> } = {
  word: { build: (options, texts) => WordTokenizer.build(options, texts), fromJson: (json) => new WordTokenizer(json) },
  char: { build: (options, texts) => CharTokenizer.build(options, texts), fromJson: (json) => new CharTokenizer(json) },
  bpe: { build: (options, texts) => BpeTokenizer.build(options, texts), fromJson: (json) => new BpeTokenizer('bpe', json) },
  gpt2: { build: () => gpt2Tokenizer(), fromJson: (json) => new BpeTokenizer('gpt2', json) },
};

