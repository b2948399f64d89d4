import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.ts';
import { createModel, disposeModel, loadModelFolder, resolveConfig, saveModel } from '../../src/model/index.ts';
import { buildTokenizer, loadTokenizer, loadTokenizerFolder } from '../../src/tokenizer/index.ts';

describe('the tokenizer of a model folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-tokenizer-folder-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("loads a folder whose tokenizer.json is dpo-run's older format (an old cache entry)", async () => {
    await initBackend('wasm');
    const model = createModel(resolveConfig({ vocabSize: 8, contextLength: 4, nLayer: 1, nHead: 1, nEmbd: 4 }), { seed: 1 });
    await saveModel(dir, model);
    disposeModel(model);
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify({ kind: 'word', lowercase: true, splitPunctuation: true, vocab: ['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'film'] }));
    const loaded = await loadModelFolder(dir, { trainable: false });
    assert.deepEqual(loaded.tokenizer.encode('A film, a'), [4, 5, 1, 4]);
    disposeModel(loaded.model);
  });

  it("reads a GPT-2 folder's vocab.json and merges.txt", async () => {
    const gpt2 = buildTokenizer({ kind: 'gpt2' }, []).toJSON();
    writeFileSync(join(dir, 'vocab.json'), JSON.stringify(gpt2.model.vocab));
    writeFileSync(join(dir, 'merges.txt'), ['#version: 0.2', ...(gpt2.model.merges as string[])].join('\n') + '\n');
    const tokenizer = await loadTokenizerFolder(dir, 50257);
    assert.equal(tokenizer.kind, 'gpt2');
    assert.deepEqual(tokenizer.encode(' The movie was great!'), [383, 3807, 373, 1049, 0]);
    assert.equal(tokenizer.eos, 50256);
  });

  it("gives a folder without tokenizer files GPT-2's tokenizer when its vocabulary is GPT-2's, and refuses it otherwise", async () => {
    assert.equal((await loadTokenizerFolder(dir, 50257)).kind, 'gpt2');
    await assert.rejects(loadTokenizerFolder(dir, 97), { name: 'StageError' });
  });

  it('refuses a Hugging Face tokenizer.json of a kind dpo-run does not run', () => {
    const wordPiece = { version: '1.0', added_tokens: [], model: { type: 'WordPiece', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' } };
    assert.throws(() => loadTokenizer(wordPiece), { name: 'UserError' });
  });

  it('loads a bpe tokenizer from the tokenizer.json saved with its model', async () => {
    await initBackend('wasm');
    const tokenizer = buildTokenizer({ kind: 'bpe', vocabSize: 270 }, ['a film, a fine film']);
    const model = createModel(resolveConfig({ vocabSize: 270, contextLength: 4, nLayer: 1, nHead: 1, nEmbd: 4 }), { seed: 1 });
    await saveModel(dir, model, tokenizer.toJSON());
    disposeModel(model);
    const loaded = await loadModelFolder(dir, { trainable: false });
    assert.equal(loaded.tokenizer.kind, 'bpe');
    assert.deepEqual(loaded.tokenizer.encode('a fine film 🎉'), tokenizer.encode('a fine film 🎉'));
    disposeModel(loaded.model);
  });
});
