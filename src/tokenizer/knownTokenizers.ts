/**
 * Every tokenizer made in this process, by its tokenizer.json object (toJSON returns the
 * same object each time): loading that object again, as saveModel does at each
 * checkpoint, returns the tokenizer instead of building the library's copy anew.
 */
import type { TokenizerJson } from './tokenizerJson.ts';
import type { Tokenizer } from './types.ts';

const known = new WeakMap<object, Tokenizer>();

/** Called by each kind's constructor, once the tokenizer is complete. */
export function rememberTokenizer(tokenizer: Tokenizer, json: TokenizerJson): void {
  known.set(json, tokenizer);
}

export function knownTokenizer(json: object): Tokenizer | undefined {
  return known.get(json);
}
