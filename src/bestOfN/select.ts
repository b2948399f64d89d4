/**
 * Choosing best-of-N from a scored pool, for every N at once, with each N's mean score
 * and KL (the closed-form bound and the measured estimate with its standard error).
 */
import type { BestOfNChoice, BestOfNEntry, PoolRecord } from './artifact.ts';
import { bestOfNKlBound, bestOfNKlEstimate } from './kl.ts';
import { bestOfFirst } from './pool.ts';

/**
 * For each N (every N at most the pool size), the best of each prompt's first N
 * completions, and the N's summary entry. The KL estimate of N takes the reward CDF from
 * the completions that took no part in choosing: the pool's completions after the first N
 * and the prompt's `cdf_scores` (an extra pool drawn for this alone).
 */
export function selectBestOfN(pool: readonly PoolRecord[], ns: readonly number[]): { choices: Map<number, BestOfNChoice[]>; entries: BestOfNEntry[] } {
  const choices = new Map<number, BestOfNChoice[]>();
  const entries: BestOfNEntry[] = [];
  for (const n of ns) {
    const chosen = pool.map((row): BestOfNChoice => {
      const index = bestOfFirst(row.scores, n);
      return { prompt: row.prompt, completion: row.completions[index], completion_ids: row.completion_ids[index], score: row.scores[index], index };
    });
    choices.set(n, chosen);
    const estimates = chosen.map((c, p) => bestOfNKlEstimate(c.score, [...pool[p].scores.slice(n), ...pool[p].cdf_scores], n));
    entries.push({
      n,
      score_mean: mean(chosen.map((c) => c.score)),
      kl_bound: bestOfNKlBound(n),
      kl_estimate: mean(estimates),
      kl_estimate_se: standardError(estimates),
      kl_cdf_samples: Math.min(...pool.map((row) => row.scores.length - n + row.cdf_scores.length)),
    });
  }
  return { choices, entries };
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((s, x) => s + x, 0) / values.length;
}

function standardError(values: readonly number[]): number {
  if (values.length < 2) return values.length === 1 ? 0 : NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, x) => s + (x - m) * (x - m), 0) / (values.length - 1) / values.length);
}
