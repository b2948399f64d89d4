import assert from 'node:assert/strict';
import { sampleToken, samplingSupport, topKIds } from '../../src/model/sampling.ts';
import { Random } from '../../src/core/random.ts';

/**
 * The definition: every id in id order, or with top-k the k ids sorted by logit (highest
 * first, ties to the lower id); weights exp((logit - max) / T), inverted at u.
 */
function referenceSample(logits: number[], temperature: number, topK: number, u: number): number {
  const ids = logits.map((_, i) => i);
  const candidates = topK < logits.length ? ids.sort((a, b) => logits[b] - logits[a] || a - b).slice(0, topK) : ids;
  const max = Math.max(...candidates.map((id) => logits[id]));
  const weights = candidates.map((id) => Math.exp((logits[id] - max) / temperature));
  let threshold = u * weights.reduce((s, w) => s + w, 0);
  for (let i = 0; i < candidates.length; i++) {
    threshold -= weights[i];
    if (threshold < 0) return candidates[i];
  }
  return candidates[candidates.length - 1];
}

describe('sampleToken', () => {
  const random = new Random(7);
  // Logits with many ties (small integers) and without (continuous).
  const rows = Array.from({ length: 60 }, (_, r) => Array.from({ length: 3 + r * 7 }, () => (r % 2 === 0 ? random.int(5) : random.normal() * 3)));

  it('keeps the k highest logits in order, ties to the lower id, as a full sort would', () => {
    for (const logits of rows) {
      for (const k of [1, 2, 5, 40, logits.length]) {
        const sorted = logits.map((_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b).slice(0, k);
        assert.deepEqual(topKIds(logits, Math.min(k, logits.length)), sorted, `k ${k} of ${logits.length}`);
      }
    }
  });

  it('picks the same token as the definition, with and without top-k', () => {
    for (const logits of rows) {
      for (const topK of [0, 3, 40]) {
        for (let i = 0; i < 20; i++) {
          const u = random.next();
          const k = topK > 0 ? Math.min(topK, logits.length) : logits.length;
          assert.equal(sampleToken(Float32Array.from(logits), { temperature: 0.8, topK }, u), referenceSample(Array.from(Float32Array.from(logits)), 0.8, k, u));
        }
      }
    }
  });

  it('draws only from samplingSupport, and reaches every id of it (top-k, top-p, greedy, unrestricted)', () => {
    const logits = Float32Array.from([0.5, 2, -1, 1.2, 2, 0.1]);
    const cases = [
      { options: { temperature: 1 }, support: [0, 1, 2, 3, 4, 5] },
      { options: { temperature: 0.7, topK: 3 }, support: [1, 3, 4] },
      { options: { temperature: 1, topP: 0.5 }, support: [1, 4] },
      { options: { temperature: 0 }, support: [1] },
    ];
    for (const { options, support } of cases) {
      assert.deepEqual(samplingSupport(logits, options), support, JSON.stringify(options));
      const drawn = new Set(Array.from({ length: 2000 }, () => sampleToken(logits, options, random.next())));
      assert.deepEqual([...drawn].sort((a, b) => a - b), support, JSON.stringify(options));
    }
  });
});
