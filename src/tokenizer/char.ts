/**
 * A character-level tokenizer: the distinct characters (Unicode code points) of the
 * training texts, in code-point order after the 4 special tokens. A character not seen
 * in training becomes <unk>, which decodes as U+FFFD.
 *
 * Saved as a Hugging Face WordLevel tokenizer.json whose pre-tokenizer makes each code
 * point a piece and whose decoder (Fuse) joins the tokens without spaces.
 */
import { HuggingFaceTokenizer } from './huggingFaceTokenizer.ts';
import { rememberTokenizer } from './knownTokenizers.ts';
import { bosTemplate, splitOnMatches, tokenizerJson, type TokenizerJson } from './tokenizerJson.ts';
import type { Tokenizer } from './types.ts';
import { BOS, checkWordLevel, EOS, PAD, SPECIAL_TOKENS, specialAddedTokens, UNK, wordLevelModel } from './vocabulary.ts';

export interface CharTokenizerSettings {
  kind: 'char';
}

const REPLACEMENT_CHARACTER = '\uFFFD';
/** Any one code point (`.` misses line breaks). */
const ONE_CHARACTER = '[\\s\\S]';

export class CharTokenizer implements Tokenizer {
  readonly kind = 'char';
  readonly bos = BOS;
  readonly eos = EOS;
  readonly pad = PAD;
  private readonly library: HuggingFaceTokenizer;

  constructor(json: TokenizerJson) {
    checkWordLevel(json, 'tokenizer.json (char)');
    this.library = new HuggingFaceTokenizer(json);
    rememberTokenizer(this, json);
  }

  static build(_settings: CharTokenizerSettings, trainingTexts: readonly string[]): CharTokenizer {
    const characters = new Set<string>();
    for (const text of trainingTexts) for (const character of text) characters.add(character);
    const symbols = [...characters].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new CharTokenizer(charLevelJson(symbols));
  }

  get vocabSize(): number {
    return this.library.vocabSize;
  }

  encode(text: string): number[] {
    return this.library.encode(text);
  }

  decode(ids: readonly number[]): string {
    return ids
      .map((id) => {
        const token = this.library.token(id);
        return id === UNK ? REPLACEMENT_CHARACTER : id < SPECIAL_TOKENS.length ? '' : token;
      })
      .join('');
  }

  toJSON(): TokenizerJson {
    return this.library.json;
  }
}

/** The tokenizer.json of a char tokenizer with these ordinary `symbols` (in id order after the specials). */
export function charLevelJson(symbols: readonly string[]): TokenizerJson {
  return tokenizerJson({
    added_tokens: specialAddedTokens(),
    normalizer: null,
    pre_tokenizer: splitOnMatches(ONE_CHARACTER),
    post_processor: bosTemplate(SPECIAL_TOKENS[BOS], BOS),
    decoder: { type: 'Fuse' },
    model: wordLevelModel(symbols),
  });
}
