/**
 * The vocabulary of the word and char tokenizers, a Hugging Face WordLevel model: the
 * special tokens first (<pad> = 0, <unk> = 1, <bos> = 2, <eos> = 3), then the symbols,
 * id = position.
 */
import { UserError } from '../core/errors.ts';
import { addedToken, type AddedToken, type TokenizerJson } from './tokenizerJson.ts';

export const SPECIAL_TOKENS = ['<pad>', '<unk>', '<bos>', '<eos>'] as const;
export const PAD = 0;
export const UNK = 1;
export const BOS = 2;
export const EOS = 3;

/** The WordLevel model of `symbols` (the ordinary symbols, in id order after the specials). */
export function wordLevelModel(symbols: readonly string[]): TokenizerJson['model'] {
  const vocab = Object.fromEntries([...SPECIAL_TOKENS, ...symbols].map((symbol, id) => [symbol, id]));
  return { type: 'WordLevel', vocab, unk_token: SPECIAL_TOKENS[UNK] };
}

export function specialAddedTokens(): AddedToken[] {
  return SPECIAL_TOKENS.map((content, id) => addedToken(id, content));
}

/** Checks that a WordLevel tokenizer.json has the specials at their ids and no gap in its ids. */
export function checkWordLevel(json: TokenizerJson, where: string): void {
  const vocab = json.model.vocab;
  SPECIAL_TOKENS.forEach((special, id) => {
    if (vocab[special] !== id) throw new UserError(`${where}: "${special}" must have id ${id}, found ${JSON.stringify(vocab[special])}`);
  });
  const ids = new Set(Object.values(vocab));
  if (ids.size !== Object.keys(vocab).length || ![...ids].every((id) => Number.isInteger(id) && id >= 0 && id < ids.size)) {
    throw new UserError(`${where}: the vocabulary's ids must be 0 to ${ids.size - 1}, each once`);
  }
}

/** The ordinary symbols of an old dpo-run tokenizer.json's `vocab` array (specials first, as it wrote them). */
export function legacySymbols(vocab: unknown, where: string): string[] {
  if (!Array.isArray(vocab) || !vocab.every((s) => typeof s === 'string')) {
    throw new UserError(`${where}: "vocab" must be an array of strings`);
  }
  SPECIAL_TOKENS.forEach((special, i) => {
    if (vocab[i] !== special) throw new UserError(`${where}: vocab[${i}] must be "${special}", found ${JSON.stringify(vocab[i])}`);
  });
  return vocab.slice(SPECIAL_TOKENS.length);
}
