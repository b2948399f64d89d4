/**
 * Hugging Face's tokenizer.json, the file the `tokenizers` library (Rust, Python) and
 * transformers load: the shape of what dpo-run writes, and builders for its parts. Keys
 * are in the order the Rust library writes them; it rejects unknown keys, so nothing of
 * dpo-run's own goes in (the kind is read back from the structure: see kindOf).
 */

/** One entry of `added_tokens`: a special token, never split or normalized. */
export interface AddedToken {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

/** A type, not an interface, so that it passes where a JSON object (Record<string, unknown>) is taken. */
export type TokenizerJson = {
  version: string;
  truncation: unknown;
  padding: unknown;
  added_tokens: AddedToken[];
  normalizer: Record<string, unknown> | null;
  pre_tokenizer: Record<string, unknown> | null;
  post_processor: Record<string, unknown> | null;
  decoder: Record<string, unknown> | null;
  model: { type: string; vocab: Record<string, number>; unk_token?: string | null; merges?: unknown[]; [key: string]: unknown };
};

export function addedToken(id: number, content: string): AddedToken {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/** A tokenizer.json with the given parts (no truncation, no padding). */
export function tokenizerJson(parts: Pick<TokenizerJson, 'added_tokens' | 'normalizer' | 'pre_tokenizer' | 'post_processor' | 'decoder' | 'model'>): TokenizerJson {
  const { added_tokens, normalizer, pre_tokenizer, post_processor, decoder, model } = parts;
  return { version: '1.0', truncation: null, padding: null, added_tokens, normalizer, pre_tokenizer, post_processor, decoder, model };
}

/**
 * A post-processor that puts `bos` before the text, as dpo-run's models read it
 * ([bos, prompt, completion]): transformers' `tokenizer(text)` then gives the same ids
 * as dpo-run's `[bos, ...encode(text)]`.
 */
export function bosTemplate(bos: string, bosId: number): Record<string, unknown> {
  const special = { SpecialToken: { id: bos, type_id: 0 } };
  return {
    type: 'TemplateProcessing',
    single: [special, { Sequence: { id: 'A', type_id: 0 } }],
    pair: [special, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
    special_tokens: { [bos]: { id: bos, ids: [bosId], tokens: [bos] } },
  };
}

/** A pre-tokenizer whose pieces are the matches of `regex` (Oniguruma and JavaScript alike); the rest is dropped. */
export function splitOnMatches(regex: string): Record<string, unknown> {
  return { type: 'Split', pattern: { Regex: regex }, behavior: 'Removed', invert: true };
}

/**
 * JavaScript's `\s`, spelled out: Oniguruma's `\s` (Rust) differs from it on U+0085 and
 * U+FEFF, so the patterns list the characters (literally, for both engines) to split
 * exactly where `\s` did before.
 */
export const WHITE_SPACE = '\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

/** The vocabulary size: one more than the largest id of the model's vocabulary and the added tokens. */
export function vocabSizeOf(json: TokenizerJson): number {
  let largest = -1;
  for (const id of Object.values(json.model.vocab)) largest = Math.max(largest, id);
  for (const token of json.added_tokens) largest = Math.max(largest, token.id);
  return largest + 1;
}
