/**
 * Statistics over plain numbers and ragged rows (one number per response token): means
 * over tokens or over sequences, and the value function's explained variance. Padding
 * never reaches them.
 */

/** The arithmetic mean of `values`, summed left to right; NaN for none (0 / 0). */
export function mean(values: readonly number[]): number {
  return values.reduce((s, x) => s + x, 0) / values.length;
}

/** The mean over every token of every row. */
export function tokenMean(rows: readonly (readonly number[])[]): number {
  return mean(rows.flat());
}

/** The population variance of `values` (divided by n); NaN for none. */
export function variance(values: readonly number[]): number {
  const m = mean(values);
  return mean(values.map((x) => (x - m) * (x - m)));
}

/**
 * `val/explained_variance`: 1 - Var(returns - values) / Var(returns) over all tokens;
 * 1 is a perfect value function, 0 no better than a constant, NaN when returns do not vary.
 * values and returns are ragged rows of the same shape.
 */
export function explainedVariance(values: readonly (readonly number[])[], returns: readonly (readonly number[])[]): number {
  const flatReturns = returns.flat();
  const flatValues = values.flat();
  return 1 - variance(flatReturns.map((r, i) => r - flatValues[i])) / variance(flatReturns);
}
