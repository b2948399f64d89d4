/**
 * Byte-level BPE tokenizers: one trained on the training texts (`bpe`: GPT-2's scheme with
 * the corpus's own merges, <pad> = 0, <bos> = 1, <eos> = 2, then the 256 bytes, then the
 * merges' tokens up to vocab_size) and GPT-2's own (`gpt2`, gpt2.ts). Every text encodes
 * without an unknown token and decodes back exactly. The library pre-tokenizes the
 * training texts (GPT-2's regex), encodes and decodes; the merges are learnt in bpeTrainer.ts.
 */
import { UserError } from '../core/errors.ts';
import { BYTE_CHARACTERS, BYTE_LEVEL_DECODER, BYTE_LEVEL_PRE_TOKENIZER, byteLevelBpeModel } from './byteLevel.ts';
import { trainBpe } from './bpeTrainer.ts';
import { HuggingFaceTokenizer } from './huggingFaceTokenizer.ts';
import { rememberTokenizer } from './knownTokenizers.ts';
import { addedToken, bosTemplate, tokenizerJson, type TokenizerJson } from './tokenizerJson.ts';
import type { Tokenizer } from './types.ts';

export interface BpeTokenizerSettings {
  kind: 'bpe';
  /** The whole vocabulary: the 3 special tokens, the 256 bytes and the merges' tokens. */
  vocabSize: number;
}

const BPE_SPECIALS = { pad: '<pad>', bos: '<bos>', eos: '<eos>' } as const;
/** GPT-2's one special token: bos, eos and pad. */
export const GPT2_END_OF_TEXT = '<|endoftext|>';
const SMALLEST_VOCABULARY = Object.keys(BPE_SPECIALS).length + BYTE_CHARACTERS.length;

export class BpeTokenizer implements Tokenizer {
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
  private readonly library: HuggingFaceTokenizer;
  private readonly specialIds: ReadonlySet<number>;

  /** `gpt2`: <|endoftext|> is bos, eos and pad; `bpe`: <bos>, <eos> and <pad>. */
  constructor(
    readonly kind: 'bpe' | 'gpt2',
    json: TokenizerJson,
  ) {
    this.library = new HuggingFaceTokenizer(json);
    const names = kind === 'gpt2' ? { pad: GPT2_END_OF_TEXT, bos: GPT2_END_OF_TEXT, eos: GPT2_END_OF_TEXT } : BPE_SPECIALS;
    const idOf = (token: string) => {
      const id = json.added_tokens.find((t) => t.content === token)?.id ?? json.model.vocab[token];
      if (id === undefined) throw new UserError(`tokenizer.json (${kind}): no ${token} token`);
      return id;
    };
    this.bos = idOf(names.bos);
    this.eos = idOf(names.eos);
    this.pad = idOf(names.pad);
    this.specialIds = new Set([this.bos, this.eos, this.pad]);
    rememberTokenizer(this, json);
  }

  static build(settings: BpeTokenizerSettings, trainingTexts: readonly string[]): BpeTokenizer {
    if (!Number.isInteger(settings.vocabSize) || settings.vocabSize < SMALLEST_VOCABULARY) {
      throw new UserError(`tokenizer: a bpe vocab_size must be an integer of at least ${SMALLEST_VOCABULARY} (3 special tokens and 256 bytes), got ${settings.vocabSize}`);
    }
    const splitter = new HuggingFaceTokenizer(bpeJson([], []));
    const counts = new Map<string, number>();
    for (const text of trainingTexts) for (const word of splitter.preTokens(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
    const reserved = new Set(Object.values(BPE_SPECIALS));
    const { merges, tokens } = trainBpe(counts, BYTE_CHARACTERS, settings.vocabSize - SMALLEST_VOCABULARY, reserved);
    return new BpeTokenizer('bpe', bpeJson(tokens, merges));
  }

  get vocabSize(): number {
    return this.library.vocabSize;
  }

  encode(text: string): number[] {
    return this.library.encode(text);
  }

  /** The bytes of the tokens read as UTF-8 (an incomplete character as U+FFFD); special tokens dropped. */
  decode(ids: readonly number[]): string {
    ids.forEach((id) => this.library.token(id));
    return this.library.decode(ids.filter((id) => !this.specialIds.has(id)));
  }

  toJSON(): TokenizerJson {
    return this.library.json;
  }
}

/** The tokenizer.json of a trained byte-level BPE: the specials, the bytes, then `tokens`. */
function bpeJson(tokens: readonly string[], merges: readonly (readonly [string, string])[]): TokenizerJson {
  const symbols = [BPE_SPECIALS.pad, BPE_SPECIALS.bos, BPE_SPECIALS.eos, ...BYTE_CHARACTERS, ...tokens];
  const vocab = Object.fromEntries(symbols.map((symbol, id) => [symbol, id]));
  return tokenizerJson({
    added_tokens: [BPE_SPECIALS.pad, BPE_SPECIALS.bos, BPE_SPECIALS.eos].map((content, id) => addedToken(id, content)),
    normalizer: null,
    pre_tokenizer: BYTE_LEVEL_PRE_TOKENIZER,
    post_processor: bosTemplate(BPE_SPECIALS.bos, 1),
    decoder: BYTE_LEVEL_DECODER,
    model: byteLevelBpeModel(vocab, merges),
  });
}
