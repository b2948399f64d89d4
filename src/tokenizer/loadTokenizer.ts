/**
 * The tokenizer of a parsed tokenizer.json: Hugging Face's format, whose kind is read from
 * its structure (the Rust library rejects any key of dpo-run's own), or dpo-run's older
 * format, converted.
 */
import { UserError } from '../core/errors.ts';
import { knownTokenizer } from './knownTokenizers.ts';
import { fromLegacyFormat, isLegacyFormat } from './legacyFormat.ts';
import type { TokenizerJson } from './tokenizerJson.ts';
import { tokenizerKinds } from './tokenizerKinds.ts';
import type { Tokenizer, TokenizerKind } from './types.ts';

/** The tokenizer of a parsed tokenizer.json; the tokenizer itself when it is one's toJSON(). */
export function loadTokenizer(json: unknown): Tokenizer {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UserError('tokenizer.json must hold a JSON object');
  const known = knownTokenizer(json);
  if (known) return known;
  const record = json as Record<string, unknown>;
  if (isLegacyFormat(record)) return fromLegacyFormat(record);
  const hf = asTokenizerJson(record);
  return tokenizerKinds[kindOf(hf)].fromJson(hf);
}

/**
 * The kind of a Hugging Face tokenizer.json: WordLevel is char when its decoder fuses the
 * tokens (word otherwise); a byte-level BPE is gpt2 when it has <|endoftext|> (bpe otherwise).
 */
function kindOf(json: TokenizerJson): TokenizerKind {
  const type = json.model.type;
  if (type === 'WordLevel') return json.decoder?.type === 'Fuse' ? 'char' : 'word';
  if (type === 'BPE' && json.pre_tokenizer?.type === 'ByteLevel') return '<|endoftext|>' in json.model.vocab || json.added_tokens.some((t) => t.content === '<|endoftext|>') ? 'gpt2' : 'bpe';
  throw new UserError(
    `tokenizer.json: a ${type} model${type === 'BPE' ? ' without the ByteLevel pre-tokenizer' : ''} is not a tokenizer dpo-run runs`,
    'dpo-run runs WordLevel (word, char) and byte-level BPE (bpe, GPT-2) tokenizers',
  );
}

function asTokenizerJson(json: Record<string, unknown>): TokenizerJson {
  const model = json.model as Record<string, unknown> | undefined;
  if (!Array.isArray(json.added_tokens) || typeof model !== 'object' || model === null || typeof model.type !== 'string' || typeof model.vocab !== 'object' || model.vocab === null) {
    throw new UserError('tokenizer.json is neither Hugging Face\'s format (added_tokens, model.type, model.vocab) nor dpo-run\'s older one ("kind")');
  }
  return json as TokenizerJson;
}
