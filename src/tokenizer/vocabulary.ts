/**
 * The vocabulary shared by the word and char tokenizers: the special tokens first
 * (<pad> = 0, <unk> = 1, <bos> = 2, <eos> = 3), then the symbols, id = position.
 */
import { UserError } from '../core/errors.ts';

export const SPECIAL_TOKENS = ['<pad>', '<unk>', '<bos>', '<eos>'] as const;
export const PAD = 0;
export const UNK = 1;
export const BOS = 2;
export const EOS = 3;

export class Vocabulary {
  private readonly ids: Map<string, number>;

  /** `symbols` are the ordinary symbols, in id order after the specials. */
  constructor(readonly symbols: readonly string[]) {
    this.ids = new Map(symbols.map((s, i) => [s, SPECIAL_TOKENS.length + i]));
  }

  get size(): number {
    return SPECIAL_TOKENS.length + this.symbols.length;
  }

  /** The id of a symbol, or <unk>. */
  id(symbol: string): number {
    return this.ids.get(symbol) ?? UNK;
  }

  /** The symbol of an ordinary id; undefined for <pad>, <bos>, <eos>; `unknown` for <unk>. */
  symbol(id: number, unknown: string): string | undefined {
    if (!Number.isInteger(id) || id < 0 || id >= this.size) throw new RangeError(`token id ${id} is outside the vocabulary (size ${this.size})`);
    if (id === UNK) return unknown;
    return id < SPECIAL_TOKENS.length ? undefined : this.symbols[id - SPECIAL_TOKENS.length];
  }

  /** Reads the `vocab` array of a tokenizer.json (specials included, as written by toJSON). */
  static fromJSON(vocab: unknown, where: string): Vocabulary {
    if (!Array.isArray(vocab) || !vocab.every((s) => typeof s === 'string')) {
      throw new UserError(`${where}: "vocab" must be an array of strings`);
    }
    SPECIAL_TOKENS.forEach((special, i) => {
      if (vocab[i] !== special) throw new UserError(`${where}: vocab[${i}] must be "${special}", found ${JSON.stringify(vocab[i])}`);
    });
    return new Vocabulary(vocab.slice(SPECIAL_TOKENS.length));
  }

  toJSON(): string[] {
    return [...SPECIAL_TOKENS, ...this.symbols];
  }
}
