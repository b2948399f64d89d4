/**
 * A character-level tokenizer: the distinct characters (Unicode code points) of the
 * training texts, in code-point order after the 4 special tokens. A character not seen
 * in training becomes <unk>, which decodes as U+FFFD.
 */
import type { Tokenizer } from './types.ts';
import { BOS, EOS, PAD, Vocabulary } from './vocabulary.ts';

export interface CharTokenizerSettings {
  kind: 'char';
}

const REPLACEMENT_CHARACTER = '\uFFFD';

export class CharTokenizer implements Tokenizer {
  readonly kind = 'char';
  readonly bos = BOS;
  readonly eos = EOS;
  readonly pad = PAD;

  constructor(private readonly vocabulary: Vocabulary) {}

  static build(_settings: CharTokenizerSettings, trainingTexts: readonly string[]): CharTokenizer {
    const characters = new Set<string>();
    for (const text of trainingTexts) for (const character of text) characters.add(character);
    const symbols = [...characters].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new CharTokenizer(new Vocabulary(symbols));
  }

  static fromJSON(json: Record<string, unknown>): CharTokenizer {
    return new CharTokenizer(Vocabulary.fromJSON(json.vocab, 'tokenizer.json (char)'));
  }

  get vocabSize(): number {
    return this.vocabulary.size;
  }

  encode(text: string): number[] {
    return Array.from(text, (character) => this.vocabulary.id(character));
  }

  decode(ids: readonly number[]): string {
    return ids.map((id) => this.vocabulary.symbol(id, REPLACEMENT_CHARACTER) ?? '').join('');
  }

  toJSON(): Record<string, unknown> {
    return { kind: this.kind, vocab: this.vocabulary.toJSON() };
  }
}
