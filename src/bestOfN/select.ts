/**
 * Choosing best-of-N from a scored pool, for every N at once, with each N's mean score
 * and KL (the closed-form bound and the measured estimate).
 */
import type { BestOfNChoice, BestOfNEntry, PoolRecord } from './artifact.ts';
import { bestOfNKlBound, bestOfNKlEstimate } from './kl.ts';
import { bestOfFirst } from './pool.ts';

/** For each N (every N at most the pool size), the best of each prompt's first N completions, and the N's summary entry. */
export function selectBestOfN(pool: readonly PoolRecord[], ns: readonly number[]): { choices: Map<number, BestOfNChoice[]>; entries: BestOfNEntry[] } {
  const choices = new Map<number, BestOfNChoice[]>();
  const entries: BestOfNEntry[] = [];
  for (const n of ns) {
    const chosen = pool.map((row): BestOfNChoice => {
      const index = bestOfFirst(row.scores, n);
      return { prompt: row.prompt, completion: row.completions[index], completion_ids: row.completion_ids[index], score: row.scores[index], index };
    });
    choices.set(n, chosen);
    entries.push({
      n,
      score_mean: mean(chosen.map((c) => c.score)),
      kl_bound: bestOfNKlBound(n),
      kl_estimate: mean(chosen.map((c, p) => bestOfNKlEstimate(pool[p].scores, c.score, n))),
    });
  }
  return { choices, entries };
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((s, x) => s + x, 0) / values.length;
}
