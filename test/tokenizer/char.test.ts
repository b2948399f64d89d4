import assert from 'node:assert/strict';
import { buildTokenizer, loadTokenizer, type Tokenizer } from '../../src/tokenizer/index.ts';

const corpus = ['Great film!', 'Dreadful, café 🎉'];
/** The tokens in id order (tokenizer.json is Hugging Face's: model.vocab maps token -> id). */
const vocabOf = (tokenizer: Tokenizer): string[] => Object.entries(tokenizer.toJSON().model.vocab).sort(([, a], [, b]) => a - b).map(([token]) => token);

describe('char tokenizer', () => {
  it('round-trips any text made of the training characters exactly', () => {
    const tokenizer = buildTokenizer({ kind: 'char' }, corpus);
    for (const text of [...corpus, 'a café 🎉!', ' ']) assert.equal(tokenizer.decode(tokenizer.encode(text)), text);
  });

  it('counts a character outside the basic plane as one token', () => {
    const tokenizer = buildTokenizer({ kind: 'char' }, corpus);
    assert.equal(tokenizer.encode('🎉').length, 1);
  });

  it('has one id per distinct character after the 4 specials, in code-point order', () => {
    const tokenizer = buildTokenizer({ kind: 'char' }, ['ba', 'ab c']);
    assert.deepEqual(vocabOf(tokenizer), ['<pad>', '<unk>', '<bos>', '<eos>', ' ', 'a', 'b', 'c']);
    assert.deepEqual(tokenizer.encode('cab'), [7, 5, 6]);
  });

  it('maps an unseen character to <unk>, which decodes as U+FFFD', () => {
    const tokenizer = buildTokenizer({ kind: 'char' }, ['ab']);
    assert.deepEqual(tokenizer.encode('az'), [4, 1]);
    assert.equal(tokenizer.decode([2, 4, 1, 3, 0]), 'a\uFFFD');
  });

  it('loads from its JSON and encodes the same', () => {
    const tokenizer = buildTokenizer({ kind: 'char' }, corpus);
    const loaded = loadTokenizer(JSON.parse(JSON.stringify(tokenizer.toJSON())));
    assert.deepEqual(loaded.encode(corpus[1]), tokenizer.encode(corpus[1]));
    assert.equal(loaded.vocabSize, tokenizer.vocabSize);
  });
});
