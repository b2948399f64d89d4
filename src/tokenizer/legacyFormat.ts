/**
 * dpo-run's tokenizer.json before it wrote Hugging Face's format:
 * `{"kind": "word", "lowercase", "splitPunctuation", "vocab": [...]}`, `{"kind": "char",
 * "vocab": [...]}`, `{"kind": "gpt2", "encoding": "r50k_base"}`. Cache entries and
 * folders written then load as the same tokenizer (same ids), now run by the library.
 */
import { UserError } from '../core/errors.ts';
import { CharTokenizer, charLevelJson } from './char.ts';
import { gpt2Tokenizer } from './gpt2.ts';
import type { Tokenizer } from './types.ts';
import { legacySymbols } from './vocabulary.ts';
import { WordTokenizer, wordLevelJson } from './word.ts';

const legacyKinds: Record<string, (json: Record<string, unknown>) => Tokenizer> = {
  word: (json) => {
    const { lowercase, splitPunctuation } = json;
    if (typeof lowercase !== 'boolean' || typeof splitPunctuation !== 'boolean') {
      throw new UserError('tokenizer.json (word): "lowercase" and "splitPunctuation" must be booleans');
    }
    return new WordTokenizer(wordLevelJson(legacySymbols(json.vocab, 'tokenizer.json (word)'), lowercase, splitPunctuation));
  },
  char: (json) => new CharTokenizer(charLevelJson(legacySymbols(json.vocab, 'tokenizer.json (char)'))),
  gpt2: () => gpt2Tokenizer(),
};

/** Whether `json` is the old format (it names its kind). */
export function isLegacyFormat(json: Record<string, unknown>): boolean {
  return 'kind' in json;
}

export function fromLegacyFormat(json: Record<string, unknown>): Tokenizer {
  const kind = json.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(legacyKinds, kind)) {
    throw new UserError(`unknown tokenizer kind ${JSON.stringify(kind)}`, `an old dpo-run tokenizer.json names one of: ${Object.keys(legacyKinds).join(', ')}`);
  }
  return legacyKinds[kind](json);
}
