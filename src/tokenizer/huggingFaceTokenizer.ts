/**
 * A tokenizer.json run by Hugging Face's tokenizer library: every kind encodes and
 * decodes through this, so what dpo-run writes is what the library reads.
 *
 * The library is `@huggingface/tokenizers` (tokenizers.js, the pure-JavaScript port that
 * transformers.js uses), not the npm `tokenizers` package (Rust bindings): the port runs
 * wherever Node runs (no native binary to match a CPU, a libc or a platform, nothing
 * fetched at run time) and encodes synchronously, as the Tokenizer interface does; the
 * Rust bindings encode only through Promises, ship 64 MB of per-platform binaries and
 * expose no trainer settings (vocabulary size, special tokens) to Node. Neither port
 * trains from JavaScript with settings, so dpo-run builds vocabularies itself (word.ts,
 * bpeTrainer.ts) and hands the result to the library as a tokenizer.json. The tests also
 * load the files with the Rust library, which Python's tokenizers and transformers use.
 *
 * Text is encoded as ordinary text: the added (special) tokens are left out of the
 * library's copy, so a text that spells "<eos>" or "<|endoftext|>" never gives a special
 * id (transformers does the same with `split_special_tokens`, which tokenizer_config.json
 * sets).
 */
import { Tokenizer as Library } from '@huggingface/tokenizers';
import { vocabSizeOf, type TokenizerJson } from './tokenizerJson.ts';

/** Pieces whose ids are remembered before the memory is cleared (IMDb has about 150,000). */
const MAX_REMEMBERED_PIECES = 500_000;

export class HuggingFaceTokenizer {
  readonly vocabSize: number;
  private readonly library: Library;
  private readonly model: NonNullable<Library['model']>;
  /** Each piece's ids, as the model encodes it alone (no model here fuses unknown tokens across pieces). */
  private readonly pieces = new Map<string, number[]>();

  constructor(readonly json: TokenizerJson) {
    const unkToken = json.model.unk_token ?? undefined;
    // tokenizers.js reads WordLevel's unknown token from tokenizer_config.json's unk_token
    this.library = new Library({ ...json, added_tokens: [] }, { unk_token: unkToken, clean_up_tokenization_spaces: false });
    this.vocabSize = vocabSizeOf(json);
    if (!this.library.model || this.library.model.fuse_unk) throw new Error('tokenizer.json: a model that fuses unknown tokens is not supported');
    this.model = this.library.model;
  }

  /**
   * The token ids of `text`, no special tokens added: the library's normalizer,
   * pre-tokenizer and model, as its encode runs them, with each piece's ids remembered
   * (its encode adds a pass for added tokens and a post-processor, and caches only 10,000
   * BPE pieces: a tenth of IMDb's). The tests check that its encode gives the same ids.
   */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const piece of this.preTokens(text)) {
      let pieceIds = this.pieces.get(piece);
      if (pieceIds === undefined) {
        const tokens: string[] = this.model._call([piece]);
        pieceIds = tokens.map((token) => this.idOf(token));
        if (this.pieces.size >= MAX_REMEMBERED_PIECES) this.pieces.clear();
        this.pieces.set(piece, pieceIds);
      }
      for (const id of pieceIds) ids.push(id);
    }
    return ids;
  }

  /** The pieces the model sees before the vocabulary: `text` normalized and pre-tokenized (the words of a word tokenizer). */
  preTokens(text: string): string[] {
    const normalized = this.library.normalizer ? this.library.normalizer(text) : text;
    // pre_tokenize_text: what calling the pre-tokenizer runs, without its costly flat() of a flat list
    return this.library.pre_tokenizer ? this.library.pre_tokenizer.pre_tokenize_text(normalized) : [normalized];
  }

  private idOf(token: string): number {
    const id = this.model.tokens_to_ids.get(token) ?? this.model.unk_token_id;
    if (id === undefined) throw new Error(`tokenizer.json: the token ${JSON.stringify(token)} has no id and there is no unknown token`);
    return id;
  }

  /** The token string of an id; RangeError outside the vocabulary. */
  token(id: number): string {
    const token = Number.isInteger(id) && id >= 0 ? this.library.id_to_token(id) : undefined;
    if (token === undefined) throw new RangeError(`token id ${id} is outside the vocabulary (size ${this.vocabSize})`);
    return token;
  }

  /** The text of `ids` through the tokenizer.json's decoder (every id decoded: drop special ones first). */
  decode(ids: readonly number[]): string {
    ids.forEach((id) => this.token(id));
    return ids.length === 0 ? '' : this.library.decode([...ids], { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }
}
