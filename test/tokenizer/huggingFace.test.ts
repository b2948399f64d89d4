/**
 * A saved model folder's tokenizer files are Hugging Face's: tokenizer.json loads in the
 * Rust library that Python's tokenizers and transformers use (the npm `tokenizers`
 * bindings, a dev dependency; skipped where its binary does not load) and in
 * tokenizers.js, and both give dpo-run's ids; config.json and tokenizer_config.json name
 * the tokenizer's special tokens.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer as TokenizersJs } from '@huggingface/tokenizers';
import { initBackend } from '../../src/backend/index.ts';
import { createModel, disposeModel, resolveConfig, saveModel } from '../../src/model/index.ts';
import { buildTokenizer, type Tokenizer, type TokenizerOptions } from '../../src/tokenizer/index.ts';

const corpus = [
  'The movie was GREAT, and I loved it!',
  "The plot was thin; the acting wasn't. 10/10 (really)",
  'A naïve café — it’s “fine”\tand\nnew lines  ',
];
/** Texts with unseen words and characters, and none that spells a special token. */
const samples = [...corpus, 'An unseen zebra 🎉 ate café crème brûlée; 1984!', '   ', ''];

interface RustTokenizer {
  encode(text: string, pair: null, options: { addSpecialTokens: boolean }): Promise<{ getIds(): number[] }>;
}
/** The Rust library, or undefined where its binary does not load. */
async function rustLibrary(): Promise<{ fromString(json: string): RustTokenizer } | undefined> {
  try {
    return (await import('tokenizers')).Tokenizer as unknown as { fromString(json: string): RustTokenizer };
  } catch {
    return undefined;
  }
}

const kinds: [string, TokenizerOptions][] = [
  ['word', { kind: 'word', vocabSize: 30, lowercase: true, splitPunctuation: true }],
  ['word (case and punctuation kept)', { kind: 'word', vocabSize: 30, lowercase: false, splitPunctuation: false }],
  ['char', { kind: 'char' }],
  ['bpe', { kind: 'bpe', vocabSize: 300 }],
  ['gpt2', { kind: 'gpt2' }],
];

describe('model folders in Hugging Face format', () => {
  let dir: string;
  before(async () => {
    await initBackend('wasm');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-hf-tokenizer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function saveWith(tokenizer: Tokenizer): Promise<{ tokenizerJson: string; config: Record<string, unknown>; tokenizerConfig: Record<string, unknown> }> {
    const model = createModel(resolveConfig({ vocabSize: tokenizer.vocabSize, contextLength: 8, nLayer: 1, nHead: 1, nEmbd: 4 }), { seed: 1 });
    await saveModel(dir, model, tokenizer.toJSON());
    disposeModel(model);
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    return { tokenizerJson: read('tokenizer.json'), config: JSON.parse(read('config.json')), tokenizerConfig: JSON.parse(read('tokenizer_config.json')) };
  }

  for (const [name, options] of kinds) {
    it(`${name}: the Rust library and tokenizers.js load tokenizer.json and give our ids, with <bos> first when asked for special tokens`, async function () {
      const tokenizer = buildTokenizer(options, corpus);
      const { tokenizerJson, tokenizerConfig } = await saveWith(tokenizer);
      const js = new TokenizersJs(JSON.parse(tokenizerJson), tokenizerConfig);
      const Rust = await rustLibrary();
      const rust = Rust?.fromString(tokenizerJson);
      const withSpecials = (ids: number[]) => (options.kind === 'gpt2' ? ids : [tokenizer.bos, ...ids]);
      for (const text of samples) {
        const ours = tokenizer.encode(text);
        assert.deepEqual(js.encode(text, { add_special_tokens: false }).ids, ours, `tokenizers.js, ${JSON.stringify(text)}`);
        if (!rust) continue;
        assert.deepEqual((await rust.encode(text, null, { addSpecialTokens: false })).getIds(), ours, `Rust, ${JSON.stringify(text)}`);
        assert.deepEqual((await rust.encode(text, null, { addSpecialTokens: true })).getIds(), withSpecials(ours), `Rust with special tokens, ${JSON.stringify(text)}`);
      }
      if (!rust) this.skip();
    });

    it(`${name}: config.json and tokenizer_config.json name the tokenizer's special tokens`, async () => {
      const tokenizer = buildTokenizer(options, corpus);
      const { tokenizerJson, config, tokenizerConfig } = await saveWith(tokenizer);
      assert.deepEqual([config.bos_token_id, config.eos_token_id, config.pad_token_id], [tokenizer.bos, tokenizer.eos, tokenizer.pad]);
      assert.equal(config.vocab_size, tokenizer.vocabSize);
      const vocab = (JSON.parse(tokenizerJson) as { model: { vocab: Record<string, number> } }).model.vocab;
      const idOf = (key: string) => vocab[tokenizerConfig[key] as string];
      assert.deepEqual([idOf('bos_token'), idOf('eos_token'), idOf('pad_token')], [tokenizer.bos, tokenizer.eos, tokenizer.pad]);
      assert.equal(tokenizerConfig.tokenizer_class, 'PreTrainedTokenizerFast');
      assert.equal(tokenizerConfig.split_special_tokens, true);
      assert.equal(tokenizerConfig.model_max_length, 8);
    });
  }

  it('word: the Rust library maps unknown words to <unk> = 1, as we do', async function () {
    const tokenizer = buildTokenizer(kinds[0][1], corpus);
    const Rust = await rustLibrary();
    if (!Rust) this.skip();
    const rust = Rust!.fromString(JSON.stringify(tokenizer.toJSON()));
    const ids = (await rust.encode('the zebra', null, { addSpecialTokens: false })).getIds();
    assert.deepEqual(ids, tokenizer.encode('the zebra'));
    assert.equal(ids[1], 1);
  });
});
