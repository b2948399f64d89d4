import assert from 'node:assert/strict';
import { buildTokenizer, loadTokenizer } from '../../src/tokenizer/index.ts';

describe('gpt2 tokenizer', () => {
  const tokenizer = buildTokenizer({ kind: 'gpt2' }, []);

  it("gives GPT-2's token ids", () => {
    // GPT-2's ids for these strings, as Hugging Face's GPT2Tokenizer gives them
    assert.deepEqual(tokenizer.encode('Hello world'), [15496, 995]);
    assert.deepEqual(tokenizer.encode(' The movie was great!'), [383, 3807, 373, 1049, 0]);
  });

  it('uses <|endoftext|> = 50256 as bos, eos and pad in a vocabulary of 50257', () => {
    assert.deepEqual([tokenizer.bos, tokenizer.eos, tokenizer.pad, tokenizer.vocabSize], [50256, 50256, 50256, 50257]);
  });

  it('round-trips text exactly, including characters split across tokens', () => {
    for (const text of ['Hello world', "I didn't like it.\n\nNot at all!", 'héllo 🎉 — naïve ☃', '  spaces  ']) {
      assert.equal(tokenizer.decode(tokenizer.encode(text)), text);
    }
  });

  it('decodes correctly after decoding an incomplete character', () => {
    const ids = tokenizer.encode('🎉');
    assert.equal(tokenizer.decode(ids.slice(0, 1)), '\uFFFD');
    assert.equal(tokenizer.decode(tokenizer.encode('héllo')), 'héllo');
  });

  it('encodes the literal text <|endoftext|> as ordinary text and drops the real token when decoding', () => {
    const ids = tokenizer.encode('a<|endoftext|>b');
    assert.ok(!ids.includes(50256));
    assert.equal(tokenizer.decode(ids), 'a<|endoftext|>b');
    assert.equal(tokenizer.decode([50256, 15496, 50256]), 'Hello');
  });

  it('loads from its JSON', () => {
    const loaded = loadTokenizer(JSON.parse(JSON.stringify(tokenizer.toJSON())));
    assert.equal(loaded.kind, 'gpt2');
    assert.deepEqual(loaded.encode('Hello world'), [15496, 995]);
  });

  it('rejects an unknown tokenizer kind', () => {
    assert.throws(() => loadTokenizer({ kind: 'sentencepiece' }), { name: 'UserError' });
  });
});
