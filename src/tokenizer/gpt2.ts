/**
 * GPT-2's byte-level BPE (the r50k_base encoding), from the gpt-tokenizer package, which
 * ships the vocabulary: no download at run time, and ids identical to GPT-2's.
 * <|endoftext|> = 50256 is bos, eos and pad; encode never produces it (the literal text
 * "<|endoftext|>" in an input is encoded as ordinary text), decode drops it.
 */
import { encode } from 'gpt-tokenizer/encoding/r50k_base';
import ranks from 'gpt-tokenizer/bpeRanks/r50k_base';
import type { Tokenizer } from './types.ts';

export interface Gpt2TokenizerSettings {
  kind: 'gpt2';
}

const END_OF_TEXT = 50256;
const VOCAB_SIZE = 50257;
const ORDINARY_TEXT = { disallowedSpecial: new Set<string>() };

/** Each token's bytes, by id; built on the first decode. */
let tokenBytes: Uint8Array[] | undefined;

function bytesOf(id: number): Uint8Array {
  tokenBytes ??= ranks.map((token) => (typeof token === 'string' ? new TextEncoder().encode(token) : Uint8Array.from(token)));
  const bytes = tokenBytes[id];
  if (bytes === undefined) throw new RangeError(`token id ${id} is outside GPT-2's vocabulary (size ${VOCAB_SIZE})`);
  return bytes;
}

export class Gpt2Tokenizer implements Tokenizer {
  readonly kind = 'gpt2';
  readonly vocabSize = VOCAB_SIZE;
  readonly bos = END_OF_TEXT;
  readonly eos = END_OF_TEXT;
  readonly pad = END_OF_TEXT;

  encode(text: string): number[] {
    return encode(text, ORDINARY_TEXT);
  }

  /**
   * The tokens' bytes joined, then read as UTF-8 once (a character split across tokens
   * comes out whole; an incomplete one as U+FFFD). Done here rather than by the package's
   * decode, whose shared streaming TextDecoder carries a dangling byte into the next call.
   */
  decode(ids: readonly number[]): string {
    const parts = ids.filter((id) => id !== END_OF_TEXT).map(bytesOf);
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((offset, p) => (joined.set(p, offset), offset + p.length), 0);
    return new TextDecoder('utf-8').decode(joined);
  }

  toJSON(): Record<string, unknown> {
    return { kind: this.kind, encoding: 'r50k_base' };
  }
}
