import assert from 'node:assert/strict';
import { buildTokenizer, loadTokenizer } from '../../src/tokenizer/index.ts';
import type { Tokenizer } from '../../src/tokenizer/types.ts';
import { SPECIAL_TOKENS } from '../../src/tokenizer/vocabulary.ts';

const corpus = ['The movie was great, and I loved it!', 'The plot was thin; the acting was great.', "I didn't like the ending."];
/** The tokens in id order (tokenizer.json is Hugging Face's: model.vocab maps token -> id). */
const vocabOf = (tokenizer: Tokenizer): string[] => Object.entries(tokenizer.toJSON().model.vocab).sort(([, a], [, b]) => a - b).map(([token]) => token);
const settings = { kind: 'word', vocabSize: 100, lowercase: true, splitPunctuation: true } as const;

describe('word tokenizer', () => {
  it('puts <pad> at 0 and the other specials right after it', () => {
    const tokenizer = buildTokenizer(settings, corpus);
    assert.deepEqual(vocabOf(tokenizer).slice(0, 4), [...SPECIAL_TOKENS]);
    assert.deepEqual([tokenizer.pad, tokenizer.bos, tokenizer.eos], [0, 2, 3]);
  });

  it('round-trips text made of known words, up to lower-casing and spacing', () => {
    const tokenizer = buildTokenizer(settings, corpus);
    const text = 'The acting was great, and I loved the plot!';
    assert.equal(tokenizer.decode(tokenizer.encode(text)), 'the acting was great, and i loved the plot!');
    assert.equal(tokenizer.decode(tokenizer.encode("I didn't like it.")), "i didn't like it.");
  });

  it('ranks words by frequency and breaks ties by code-unit order', () => {
    // counts: the 4, was 3, . 2, great 2, i 2, then the words seen once in code-unit order: ! , ; acting ...
    const tokenizer = buildTokenizer({ ...settings, vocabSize: 4 + 8 }, corpus);
    assert.deepEqual(vocabOf(tokenizer).slice(4), ['the', 'was', '.', 'great', 'i', '!', ',', ';']);
    assert.equal(tokenizer.vocabSize, 12);
  });

  it('maps words outside the vocabulary to <unk> and drops pad, bos and eos when decoding', () => {
    const tokenizer = buildTokenizer(settings, corpus);
    const ids = tokenizer.encode('the zebra');
    assert.equal(ids[1], 1);
    assert.equal(tokenizer.decode([tokenizer.bos, ...ids, tokenizer.eos, tokenizer.pad]), 'the <unk>');
  });

  it('builds the same vocabulary from the same corpus, whatever the order of the texts', () => {
    const a = buildTokenizer(settings, corpus).toJSON();
    const b = buildTokenizer(settings, [...corpus].reverse()).toJSON();
    assert.deepEqual(a, b);
  });

  it('keeps case and punctuation attached when told to', () => {
    const tokenizer = buildTokenizer({ ...settings, lowercase: false, splitPunctuation: false }, corpus);
    assert.ok(vocabOf(tokenizer).includes('great,'));
    assert.ok(vocabOf(tokenizer).includes('The'));
    assert.equal(tokenizer.decode(tokenizer.encode('The movie was great,')), 'The movie was great,');
  });

  it('loads from its JSON and encodes the same', () => {
    const tokenizer = buildTokenizer(settings, corpus);
    const loaded = loadTokenizer(JSON.parse(JSON.stringify(tokenizer.toJSON())));
    assert.equal(loaded.kind, 'word');
    assert.deepEqual(loaded.encode(corpus[1]), tokenizer.encode(corpus[1]));
    assert.equal(loaded.vocabSize, tokenizer.vocabSize);
  });

  it('rejects a vocabulary size that leaves no room beyond the specials', () => {
    assert.throws(() => buildTokenizer({ ...settings, vocabSize: 4 }, corpus), { name: 'UserError' });
  });

  it('rejects a tokenizer.json whose vocabulary lacks the specials', () => {
    assert.throws(() => loadTokenizer({ kind: 'word', lowercase: true, splitPunctuation: true, vocab: ['a', 'b'] }), { name: 'UserError' });
  });
});
