import assert from 'node:assert/strict';
import { buildTokenizer, loadTokenizer } from '../../src/tokenizer/index.ts';
import { trainBpe } from '../../src/tokenizer/bpeTrainer.ts';

const corpus = [
  'The movie was great, and I loved the movie!',
  'The plot was thin; the acting was great.',
  "I didn't like the ending of the movie.",
];
const settings = { kind: 'bpe', vocabSize: 300 } as const;

describe('bpe tokenizer', () => {
  it('has <pad> 0, <bos> 1, <eos> 2, then the 256 bytes, then merges up to vocab_size', () => {
    const tokenizer = buildTokenizer(settings, corpus);
    assert.deepEqual([tokenizer.pad, tokenizer.bos, tokenizer.eos], [0, 1, 2]);
    assert.equal(tokenizer.vocabSize, 300);
    assert.equal((tokenizer.toJSON().model.merges as string[]).length, 300 - 259);
  });

  it('learns the frequent words of the training texts as single tokens', () => {
    const tokenizer = buildTokenizer(settings, corpus);
    assert.equal(tokenizer.encode(' movie').length, 1);
    assert.equal(tokenizer.encode(' the').length, 1);
    assert.ok(tokenizer.encode(' zebra').length > 1);
  });

  it('round-trips any text exactly, unseen characters included, with no unknown token', () => {
    const tokenizer = buildTokenizer(settings, corpus);
    for (const text of [...corpus, 'An unseen zebra 🎉 ate crème brûlée — 東京!', '  spaces\tand\nlines  ', '']) {
      assert.equal(tokenizer.decode(tokenizer.encode(text)), text);
    }
  });

  it('encodes a text that spells a special token as ordinary text, and drops special tokens when decoding', () => {
    const tokenizer = buildTokenizer(settings, ['<eos> <pad> <bos>'.repeat(50), ...corpus]);
    const ids = tokenizer.encode('a <eos> b <pad>');
    assert.ok(ids.every((id) => id > 2));
    assert.equal(tokenizer.decode([tokenizer.bos, ...ids, tokenizer.eos, tokenizer.pad]), 'a <eos> b <pad>');
  });

  it('builds the same tokenizer from the same corpus, whatever the order of the texts', () => {
    const a = buildTokenizer(settings, corpus).toJSON();
    const b = buildTokenizer(settings, [...corpus].reverse()).toJSON();
    assert.deepEqual(a, b);
  });

  it('loads from its JSON and encodes the same', () => {
    const tokenizer = buildTokenizer(settings, corpus);
    const loaded = loadTokenizer(JSON.parse(JSON.stringify(tokenizer.toJSON())));
    assert.equal(loaded.kind, 'bpe');
    assert.deepEqual(loaded.encode(corpus[2]), tokenizer.encode(corpus[2]));
    assert.deepEqual([loaded.vocabSize, loaded.bos, loaded.eos, loaded.pad], [300, 1, 2, 0]);
  });

  it('rejects a vocabulary smaller than the specials and the 256 bytes', () => {
    assert.throws(() => buildTokenizer({ kind: 'bpe', vocabSize: 258 }, corpus), { name: 'UserError' });
  });
});

describe('trainBpe', () => {
  it('merges the most frequent pair first and breaks ties by code-unit order', () => {
    // pairs: ab x5 (abc x3 + ab x2), bc x3, cd x1, then after a+b: (ab, c) x3
    const counts = new Map([['abc', 3], ['ab', 2], ['cd', 1]]);
    const { merges, tokens } = trainBpe(counts, ['a', 'b', 'c', 'd'], 3);
    assert.deepEqual(merges, [['a', 'b'], ['ab', 'c'], ['c', 'd']]);
    assert.deepEqual(tokens, ['ab', 'abc', 'cd']);
  });

  it('takes the pair first in code-unit order among equally frequent ones', () => {
    const { merges } = trainBpe(new Map([['ba', 1], ['ab', 1]]), ['a', 'b'], 1);
    assert.deepEqual(merges, [['a', 'b']]);
  });

  it('stops when no pair is left', () => {
    const { tokens } = trainBpe(new Map([['ab', 1]]), ['a', 'b'], 10);
    assert.deepEqual(tokens, ['ab']);
  });

  it('never makes a reserved token', () => {
    const { tokens } = trainBpe(new Map([['ab', 5], ['cd', 1]]), ['a', 'b', 'c', 'd'], 10, new Set(['ab']));
    assert.deepEqual(tokens, ['cd']);
  });
});
