/**
 * A word-level tokenizer built from the training texts: lower-cased (settable), split on
 * white space and (settable) with each punctuation mark a token of its own, keeping the
 * `vocabSize - 4` most frequent words (ties broken by code-unit order, so the same corpus
 * and settings always give the same vocabulary). Unknown words become <unk>.
 *
 * Saved as a Hugging Face WordLevel tokenizer.json: a Lowercase normalizer, a Split
 * pre-tokenizer on the word pattern, and <bos> put first by the post-processor. The
 * library splits the training texts and encodes; decoding joins the words here (with
 * no decoder, Hugging Face joins them with single spaces).
 */
import { UserError } from '../core/errors.ts';
import { HuggingFaceTokenizer } from './huggingFaceTokenizer.ts';
import { rememberTokenizer } from './knownTokenizers.ts';
import { bosTemplate, splitOnMatches, tokenizerJson, WHITE_SPACE, type TokenizerJson } from './tokenizerJson.ts';
import type { Tokenizer } from './types.ts';
import { BOS, checkWordLevel, EOS, PAD, SPECIAL_TOKENS, specialAddedTokens, UNK, wordLevelModel } from './vocabulary.ts';

export interface WordTokenizerSettings {
  kind: 'word';
  /** The largest vocabulary, the 4 special tokens included. */
  vocabSize: number;
  lowercase: boolean;
  splitPunctuation: boolean;
}

export const WORD_DEFAULTS = { vocabSize: 8000, lowercase: true, splitPunctuation: true } as const;

/** A word (letters, digits, and apostrophes inside a word: "don't") or one other non-space character. */
const WORDS_AND_PUNCTUATION = `[\\p{L}\\p{N}]+(?:['’][\\p{L}\\p{N}]+)*|[^${WHITE_SPACE}\\p{L}\\p{N}]`;
/** A run of non-space characters. */
const NON_SPACE = `[^${WHITE_SPACE}]+`;
/** Tokens written without a space before them when decoding. */
const NO_SPACE_BEFORE = /^[.,!?;:%)\]}]$/;
/** Tokens written without a space after them. */
const NO_SPACE_AFTER = /^[(\[{$]$/;

export class WordTokenizer implements Tokenizer {
  readonly kind = 'word';
  readonly bos = BOS;
  readonly eos = EOS;
  readonly pad = PAD;
  private readonly library: HuggingFaceTokenizer;

  constructor(json: TokenizerJson) {
    checkWordLevel(json, 'tokenizer.json (word)');
    this.library = new HuggingFaceTokenizer(json);
    rememberTokenizer(this, json);
  }

  static build(settings: WordTokenizerSettings, trainingTexts: readonly string[]): WordTokenizer {
    if (!Number.isInteger(settings.vocabSize) || settings.vocabSize <= SPECIAL_TOKENS.length) {
      throw new UserError(`tokenizer: vocab_size must be an integer above ${SPECIAL_TOKENS.length} (the special tokens), got ${settings.vocabSize}`);
    }
    const splitter = new HuggingFaceTokenizer(wordLevelJson([], settings.lowercase, settings.splitPunctuation));
    const counts = new Map<string, number>();
    for (const text of trainingTexts) for (const word of splitter.preTokens(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
    const ranked = [...counts].sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0));
    const symbols = ranked.slice(0, settings.vocabSize - SPECIAL_TOKENS.length).map(([word]) => word);
    return new WordTokenizer(wordLevelJson(symbols, settings.lowercase, settings.splitPunctuation));
  }

  get vocabSize(): number {
    return this.library.vocabSize;
  }

  encode(text: string): number[] {
    return this.library.encode(text);
  }

  /** Words joined by single spaces, except before closing punctuation and after opening brackets. */
  decode(ids: readonly number[]): string {
    let text = '';
    let previous = '';
    for (const id of ids) {
      const word = this.library.token(id);
      if (id !== UNK && id < SPECIAL_TOKENS.length) continue;
      const space = text !== '' && !NO_SPACE_BEFORE.test(word) && !NO_SPACE_AFTER.test(previous);
      text += (space ? ' ' : '') + word;
      previous = word;
    }
    return text;
  }

  toJSON(): TokenizerJson {
    return this.library.json;
  }
}

/** The tokenizer.json of a word tokenizer with these ordinary `symbols` (in id order after the specials). */
export function wordLevelJson(symbols: readonly string[], lowercase: boolean, splitPunctuation: boolean): TokenizerJson {
  return tokenizerJson({
    added_tokens: specialAddedTokens(),
    normalizer: lowercase ? { type: 'Lowercase' } : null,
    pre_tokenizer: splitOnMatches(splitPunctuation ? WORDS_AND_PUNCTUATION : NON_SPACE),
    post_processor: bosTemplate(SPECIAL_TOKENS[BOS], BOS),
    decoder: null,
    model: wordLevelModel(symbols),
  });
}
