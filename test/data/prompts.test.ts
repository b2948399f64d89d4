import assert from 'node:assert/strict';
import type { TextRecord } from '../../src/data/artifacts.ts';
import { makePrompts } from '../../src/data/prompts.ts';
import { Random } from '../../src/core/random.ts';

const texts: TextRecord[] = Array.from({ length: 300 }, (_, i) => ({
  text: Array.from({ length: 3 + (i % 15) }, (_, j) => `w${i}_${j}`).join(' '),
  label: i % 2,
  split: i % 5 === 0 ? 'test' : 'train',
}));
const defaults = { min_words: 2, max_words: 8, max_per_split: null };

describe('prompts', () => {
  it('are prefixes of 2 to 8 words whose completion is the rest of the text', () => {
    const prompts = makePrompts(texts, defaults, new Random(0));
    assert.equal(prompts.length, texts.length);
    const lengths = new Set<number>();
    for (const p of prompts) {
      const n = p.prompt.split(' ').length;
      lengths.add(n);
      assert.ok(n >= 2 && n <= 8, `${n} words`);
      const source = texts.find((t) => t.text === p.prompt + p.completion);
      assert.ok(source, 'prompt + completion is a text');
      assert.equal(p.label, source.label);
      assert.equal(p.split, source.split);
      assert.ok(p.completion.length > 1, 'leaves at least one word');
    }
    assert.deepEqual([...lengths].sort(), [2, 3, 4, 5, 6, 7, 8]);
  });

  it('skip texts too short to leave a word after the shortest prefix', () => {
    const short: TextRecord[] = [{ text: 'two words', split: 'train' }, { text: 'three words here', split: 'train' }];
    const prompts = makePrompts(short, defaults, new Random(0));
    assert.deepEqual(prompts, [{ prompt: 'three words', completion: ' here', split: 'train' }]);
  });

  it('follow the settings: lengths, the cap per split, the seed', () => {
    const capped = makePrompts(texts, { min_words: 4, max_words: 5, max_per_split: 10 }, new Random(1));
    assert.equal(capped.filter((p) => p.split === 'train').length, 10);
    assert.equal(capped.filter((p) => p.split === 'test').length, 10);
    assert.ok(capped.every((p) => [4, 5].includes(p.prompt.split(' ').length)));
    assert.deepEqual(makePrompts(texts, defaults, new Random(7)), makePrompts(texts, defaults, new Random(7)));
    assert.notDeepEqual(makePrompts(texts, defaults, new Random(7)), makePrompts(texts, defaults, new Random(8)));
  });

  it('of the test split do not depend on the cap of the train split', () => {
    const test = (cap: number | null) => makePrompts(texts, { ...defaults, max_per_split: cap }, new Random(3)).filter((p) => p.split === 'test');
    assert.deepEqual(test(null).slice(0, 5), test(5));
  });
});
