/**
 * The byte-level alphabet of GPT-2's BPE: each of the 256 bytes is written as one
 * printable character (the printable Latin-1 bytes as themselves, the others as U+0100
 * onwards; a space is "Ġ"), so that a token is a string and no text is ever unknown. And
 * the tokenizer.json parts of a byte-level BPE tokenizer, as GPT-2's tokenizer.json has them.
 */
import type { TokenizerJson } from './tokenizerJson.ts';

/** GPT-2's bytes_to_unicode: the character of each byte. */
export const BYTE_CHARACTERS: readonly string[] = (() => {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const characters: string[] = [];
  let next = 256;
  for (let b = 0; b < 256; b++) characters.push(String.fromCodePoint(printable(b) ? b : next++));
  return characters;
})();

/** `bytes` written in the byte-level alphabet. */
export function byteLevelString(bytes: Iterable<number>): string {
  let text = '';
  for (const b of bytes) text += BYTE_CHARACTERS[b];
  return text;
}

/** GPT-2's pre-tokenizer: its regex split (contractions, letters, digits, other, spaces), then bytes as characters. */
export const BYTE_LEVEL_PRE_TOKENIZER = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
export const BYTE_LEVEL_DECODER = { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true };

/** A BPE model over the byte-level alphabet; `merges` as "left right" strings, which every version of the library reads. */
export function byteLevelBpeModel(vocab: Record<string, number>, merges: readonly (readonly [string, string])[]): TokenizerJson['model'] {
  return {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: '',
    end_of_word_suffix: '',
    fuse_unk: false,
    byte_fallback: false,
    vocab,
    merges: merges.map(([left, right]) => `${left} ${right}`),
  };
}
