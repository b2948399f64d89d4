/**
 * The interface every tokenizer kind implements (word, char, gpt2). A tokenizer is
 * saved as one JSON file (`tokenizer.json`) beside the model and loaded back by
 * `loadTokenizer` (src/tokenizer/index.ts), which dispatches on `kind`.
 */
export interface Tokenizer {
  readonly kind: 'word' | 'char' | 'gpt2';
  readonly vocabSize: number;
  /** Special token ids. For gpt2, bos = eos = pad = 50256 (<|endoftext|>). */
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
  /** Text to ids, with no special tokens added. */
  encode(text: string): number[];
  /** Ids to text; special tokens are dropped. */
  decode(ids: readonly number[]): string;
  /** The JSON written to tokenizer.json (includes `kind`). */
  toJSON(): Record<string, unknown>;
}
