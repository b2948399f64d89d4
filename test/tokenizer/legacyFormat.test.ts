import assert from 'node:assert/strict';
import { loadTokenizer } from '../../src/tokenizer/index.ts';

const SPECIALS = ['<pad>', '<unk>', '<bos>', '<eos>'];

describe("dpo-run's older tokenizer.json", () => {
  it('loads a word tokenizer with the same ids, saved back in Hugging Face format', () => {
    const old = { kind: 'word', lowercase: true, splitPunctuation: true, vocab: [...SPECIALS, 'the', 'movie', 'was', 'great', ',', '!'] };
    const tokenizer = loadTokenizer(old);
    assert.equal(tokenizer.kind, 'word');
    assert.deepEqual(tokenizer.encode('The movie was great, GREAT! zebra'), [4, 5, 6, 7, 8, 7, 9, 1]);
    assert.deepEqual([tokenizer.pad, tokenizer.bos, tokenizer.eos, tokenizer.vocabSize], [0, 2, 3, 10]);
    assert.equal(tokenizer.toJSON().model.type, 'WordLevel');
    assert.deepEqual(loadTokenizer(JSON.parse(JSON.stringify(tokenizer.toJSON()))).encode('the movie!'), [4, 5, 9]);
  });

  it('keeps case and attached punctuation where the old file says so', () => {
    const tokenizer = loadTokenizer({ kind: 'word', lowercase: false, splitPunctuation: false, vocab: [...SPECIALS, 'The', 'great,'] });
    assert.deepEqual(tokenizer.encode('The great, the'), [4, 5, 1]);
  });

  it('loads a char tokenizer with the same ids', () => {
    const tokenizer = loadTokenizer({ kind: 'char', vocab: [...SPECIALS, ' ', 'a', 'b'] });
    assert.equal(tokenizer.kind, 'char');
    assert.deepEqual(tokenizer.encode('ab a!'), [5, 6, 4, 5, 1]);
    assert.equal(tokenizer.decode([2, 5, 6, 4, 5, 1, 3]), 'ab a\uFFFD');
  });

  it("loads GPT-2's", () => {
    const tokenizer = loadTokenizer({ kind: 'gpt2', encoding: 'r50k_base' });
    assert.equal(tokenizer.kind, 'gpt2');
    assert.deepEqual(tokenizer.encode('Hello world'), [15496, 995]);
  });

  it('rejects an old word tokenizer without its settings', () => {
    assert.throws(() => loadTokenizer({ kind: 'word', vocab: SPECIALS }), { name: 'UserError' });
  });
});
