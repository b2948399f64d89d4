import assert from 'node:assert/strict';
import { completionTokens, splitEos, textCompletionTokens } from '../../src/model/completionTokens.ts';
import { buildTokenizer } from '../../src/tokenizer/index.ts';

describe('completion tokens', () => {
  const tokenizer = buildTokenizer({ kind: 'word', vocabSize: 20, lowercase: true, splitPunctuation: true }, ['a good film', 'a bad film']);

  it('end with eos exactly when the policy sampled it', () => {
    assert.deepEqual(completionTokens([5, 6], true, 3), [5, 6, 3]);
    assert.deepEqual(completionTokens([5, 6], false, 3), [5, 6]);
    assert.deepEqual(completionTokens([], true, 3), [3], 'stopping at once is a completion of one token');
    assert.throws(() => completionTokens([5, 3], false, 3));
  });

  it('give a text completion its eos, lost when cut to the length limit', () => {
    const ids = tokenizer.encode('a good film');
    assert.deepEqual(textCompletionTokens(tokenizer, 'a good film'), [...ids, tokenizer.eos]);
    assert.deepEqual(textCompletionTokens(tokenizer, 'a good film', 4), [...ids, tokenizer.eos]);
    assert.deepEqual(textCompletionTokens(tokenizer, 'a good film', 3), ids);
  });

  it('split back into text tokens and the stop, and decode to the same text either way', () => {
    const ids = tokenizer.encode('a bad film');
    assert.deepEqual(splitEos([...ids, tokenizer.eos], tokenizer.eos), { textIds: ids, endedWithEos: true });
    assert.deepEqual(splitEos(ids, tokenizer.eos), { textIds: ids, endedWithEos: false });
    assert.equal(tokenizer.decode([...ids, tokenizer.eos]), tokenizer.decode(ids));
    assert.throws(() => splitEos([tokenizer.eos, ...ids], tokenizer.eos));
  });
});
