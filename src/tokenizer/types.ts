/**
 * The interface every tokenizer kind implements (word, char, bpe, gpt2). A tokenizer is
 * saved as Hugging Face's tokenizer.json beside the model and loaded back by
 * `loadTokenizer` (src/tokenizer/index.ts), which reads the kind from the file.
 */
import type { TokenizerJson } from './tokenizerJson.ts';

export type TokenizerKind = 'word' | 'char' | 'bpe' | 'gpt2';

export interface Tokenizer {
  readonly kind: TokenizerKind;
  readonly vocabSize: number;
  /** Special token ids. For gpt2, bos = eos = pad = 50256 (<|endoftext|>). */
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
  /** Text to ids, with no special tokens added; a text that spells a special token is ordinary text. */
  encode(text: string): number[];
  /** Ids to text; special tokens are dropped. */
  decode(ids: readonly number[]): string;
  /** Hugging Face's tokenizer.json (the same object each call: do not modify it). */
  toJSON(): TokenizerJson;
}
