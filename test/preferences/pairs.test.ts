import assert from 'node:assert/strict';
import { Random } from '../../src/core/random.ts';
import { batchSchedule } from '../../src/pairwise/batch.ts';
import { fitToContext, keepPromptEnd } from '../../src/data/pairs.ts';
import { formPairs } from '../../src/preferences/sample.ts';

describe('forming preference pairs', () => {
  it('forms all K(K-1)/2 pairs with the higher score chosen', () => {
    assert.deepEqual(formPairs([0.2, 0.9, 0.5, 0.1], 'all', 0), [
      [1, 0], [2, 0], [0, 3], [1, 2], [1, 3], [2, 3],
    ]);
  });

  it('drops ties and pairs within min_margin', () => {
    assert.deepEqual(formPairs([0.5, 0.5, 0.7], 'all', 0), [[2, 0], [2, 1]]);
    assert.deepEqual(formPairs([0.5, 0.55, 0.9], 'all', 0.1), [[2, 0], [2, 1]]);
  });

  it('pairs the best against the worst', () => {
    assert.deepEqual(formPairs([0.2, 0.9, 0.5, 0.1], 'best_vs_worst', 0), [[1, 3]]);
    assert.deepEqual(formPairs([0.4, 0.4], 'best_vs_worst', 0), []);
    assert.deepEqual(formPairs([0.4], 'best_vs_worst', 0), []);
  });
});

describe('fitting a pair to the context', () => {
  it('leaves a pair that fits as it is', () => {
    assert.deepEqual(fitToContext([2, 5, 6], [7, 8], [9], 8), { prompt_ids: [2, 5, 6], chosen_ids: [7, 8], rejected_ids: [9] });
  });

  it('keeps bos and the end of a long prompt, then cuts the completions', () => {
    const prompt = [2, 10, 11, 12, 13, 14, 15];
    const fitted = fitToContext(prompt, [20, 21, 22, 23, 24, 25], [30], 8);
    assert.deepEqual(fitted.prompt_ids, [2, 13, 14, 15]); // half the context: the completions need it
    assert.deepEqual(fitted.chosen_ids, [20, 21, 22, 23]);
    assert.deepEqual(fitted.rejected_ids, [30]);
    assert.deepEqual(keepPromptEnd(prompt, 1), [2]);
  });
});

describe('the batch schedule', () => {
  it('covers every pair once per epoch, and is the same from the same seed', () => {
    const schedule = batchSchedule(5, 2, 6, new Random(1));
    assert.deepEqual(schedule.map((b) => b.length), [2, 2, 1, 2, 2, 1]);
    assert.deepEqual(schedule.slice(0, 3).flat().sort(), [0, 1, 2, 3, 4]);
    assert.deepEqual(schedule.slice(3).flat().sort(), [0, 1, 2, 3, 4]);
    assert.deepEqual(batchSchedule(5, 2, 6, new Random(1)), schedule);
  });
});
