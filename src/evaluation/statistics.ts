/**
 * The statistics of a frontier point: means with their standard errors, and distinct-n,
 * the share of distinct n-grams among all n-grams of a set of completions (low values
 * show a policy repeating itself, the degeneration that a large KL can bring).
 */

/** The arithmetic mean; NaN for no values. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * The standard error of the mean, s / sqrt(n), with s the sample standard deviation
 * (n - 1 in the denominator); 0 for a single value, NaN for none.
 */
export function standardError(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return NaN;
  if (n === 1) return 0;
  const m = mean(values);
  let squares = 0;
  for (const v of values) squares += (v - m) * (v - m);
  return Math.sqrt(squares / (n - 1) / n);
}

/** z of a two-sided 95% interval: the 0.975 quantile of the standard normal. */
export const Z_95 = 1.959963984540054;

/**
 * The Wilson score interval (Wilson, 1927) of a proportion: `successes` of `n` trials,
 *   p = successes / n,  centre = (p + z^2 / 2n) / (1 + z^2 / n),
 *   half-width = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2),
 * 95% by default. Unlike p ± z se it stays inside [0, 1] and is not empty at p = 0 or 1.
 * `successes` may be fractional (a win rate counts a tie as half a win); NaN bounds for n = 0.
 */
export function wilsonInterval(successes: number, n: number, z = Z_95): { low: number; high: number } {
  if (n === 0) return { low: NaN, high: NaN };
  const p = successes / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * distinct-n = |distinct n-grams| / |n-grams| over all the sequences together (Li et al.,
 * 2016). Sequences shorter than n contribute no n-gram; with no n-gram at all it is 0.
 */
export function distinctN(sequences: readonly (readonly (number | string)[])[], n: number): number {
  const seen = new Set<string>();
  let total = 0;
  for (const sequence of sequences) {
    for (let i = 0; i + n <= sequence.length; i++) {
      seen.add(sequence.slice(i, i + n).join('\u0000'));
      total++;
    }
  }
  return total === 0 ? 0 : seen.size / total;
}
