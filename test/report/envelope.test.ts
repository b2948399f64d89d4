import assert from 'node:assert/strict';
import { envelopeAt, upperEnvelope } from '../../src/report/envelope.ts';

describe("a method's upper envelope", () => {
  const points = [
    { kl: 3, reward: 0.7 }, // dominated by (2, 0.9)
    { kl: 1, reward: 0.6 },
    { kl: 2, reward: 0.9 },
    { kl: 2, reward: 0.5 }, // same KL, lower reward
    { kl: 5, reward: 0.95 },
    { kl: 4, reward: NaN },
  ];

  it('keeps the points no other point dominates, by increasing KL', () => {
    assert.deepEqual(upperEnvelope(points), [{ kl: 1, reward: 0.6 }, { kl: 2, reward: 0.9 }, { kl: 5, reward: 0.95 }]);
    assert.deepEqual(upperEnvelope([]), []);
  });

  it('gives the best reward at KL <= k, undefined below the lowest point', () => {
    const front = upperEnvelope(points);
    assert.deepEqual([0.5, 1, 1.5, 2, 3, 4.9, 5, 100].map((k) => envelopeAt(front, k)), [undefined, 0.6, 0.6, 0.9, 0.9, 0.9, 0.95, 0.95]);
  });
});
