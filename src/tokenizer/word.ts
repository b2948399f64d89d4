/**
 * A word-level tokenizer built from the training texts: lower-cased (settable), split on
 * white space and (settable) with each punctuation mark a token of its own, keeping the
 * `vocabSize - 4` most frequent words (ties broken by code-unit order, so the same corpus
 * and settings always give the same vocabulary). Unknown words become <unk>.
 */
import { UserError } from '../core/errors.ts';
import type { Tokenizer } from './types.ts';
import { BOS, EOS, PAD, SPECIAL_TOKENS, Vocabulary } from './vocabulary.ts';

export interface WordTokenizerSettings {
  kind: 'word';
  /** The largest vocabulary, the 4 special tokens included. */
  vocabSize: number;
  lowercase: boolean;
  splitPunctuation: boolean;
}

export const WORD_DEFAULTS = { vocabSize: 8000, lowercase: true, splitPunctuation: true } as const;

/** A word (letters, digits, and apostrophes inside a word: "don't") or one other non-space character. */
const WORDS_AND_PUNCTUATION = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu;
/** Tokens written without a space before them when decoding. */
const NO_SPACE_BEFORE = /^[.,!?;:%)\]}]$/;
/** Tokens written without a space after them. */
const NO_SPACE_AFTER = /^[(\[{$]$/;

export class WordTokenizer implements Tokenizer {
  readonly kind = 'word';
  readonly bos = BOS;
  readonly eos = EOS;
  readonly pad = PAD;

  constructor(
    private readonly vocabulary: Vocabulary,
    readonly lowercase: boolean,
    readonly splitPunctuation: boolean,
  ) {}

  static build(settings: WordTokenizerSettings, trainingTexts: readonly string[]): WordTokenizer {
    if (!Number.isInteger(settings.vocabSize) || settings.vocabSize <= SPECIAL_TOKENS.length) {
      throw new UserError(`tokenizer: vocab_size must be an integer above ${SPECIAL_TOKENS.length} (the special tokens), got ${settings.vocabSize}`);
    }
    const split = (text: string) => splitWords(text, settings.lowercase, settings.splitPunctuation);
    const counts = new Map<string, number>();
    for (const text of trainingTexts) for (const word of split(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
    const ranked = [...counts].sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0));
    const symbols = ranked.slice(0, settings.vocabSize - SPECIAL_TOKENS.length).map(([word]) => word);
    return new WordTokenizer(new Vocabulary(symbols), settings.lowercase, settings.splitPunctuation);
  }

  static fromJSON(json: Record<string, unknown>): WordTokenizer {
    const { lowercase, splitPunctuation } = json;
    if (typeof lowercase !== 'boolean' || typeof splitPunctuation !== 'boolean') {
      throw new UserError('tokenizer.json (word): "lowercase" and "splitPunctuation" must be booleans');
    }
    return new WordTokenizer(Vocabulary.fromJSON(json.vocab, 'tokenizer.json (word)'), lowercase, splitPunctuation);
  }

  get vocabSize(): number {
    return this.vocabulary.size;
  }

  encode(text: string): number[] {
    return splitWords(text, this.lowercase, this.splitPunctuation).map((word) => this.vocabulary.id(word));
  }

  /** Words joined by single spaces, except before closing punctuation and after opening brackets. */
  decode(ids: readonly number[]): string {
    let text = '';
    let previous = '';
    for (const id of ids) {
      const word = this.vocabulary.symbol(id, SPECIAL_TOKENS[1]);
      if (word === undefined) continue;
      const space = text !== '' && !NO_SPACE_BEFORE.test(word) && !NO_SPACE_AFTER.test(previous);
      text += (space ? ' ' : '') + word;
      previous = word;
    }
    return text;
  }

  toJSON(): Record<string, unknown> {
    return { kind: this.kind, lowercase: this.lowercase, splitPunctuation: this.splitPunctuation, vocab: this.vocabulary.toJSON() };
  }
}

/** The words of a text, as the tokenizer sees them. */
export function splitWords(text: string, lowercase: boolean, splitPunctuation: boolean): string[] {
  const normalised = lowercase ? text.toLowerCase() : text;
  return splitPunctuation ? normalised.match(WORDS_AND_PUNCTUATION) ?? [] : normalised.split(/\s+/).filter((w) => w !== '');
}
