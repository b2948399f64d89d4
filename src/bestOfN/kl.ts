/**
 * The KL divergence of the best-of-N policy from the policy it samples from.
 */

/**
 * The closed-form value log N - (N-1)/N (Stiennon et al. 2020; an upper bound on the
 * true KL, Beirami et al. 2024, "Theoretical guarantees on the best-of-n alignment policy").
 */
export function bestOfNKlBound(n: number): number {
  return Math.log(n) - (n - 1) / n;
}

/**
 * A measured estimate for one prompt of log pi_BoN(y*)/pi(y*) at the chosen completion y*
 * (reward r*), whose mean over prompts estimates KL(pi_BoN || pi) (Beirami et al. 2024).
 * With F(r) = P(reward <= r) under the sampled policy, best-of-N's density is
 * pi(y) N F(r(y))^(N-1) for continuous rewards, so the log-ratio is log N + (N-1) log F(r*).
 *
 * Unbiased, from samples independent of the choice: plugging into log F the empirical CDF
 * of the very samples the best was chosen from is biased upward (the best of N has F = 1
 * there: N = 64 gave 4.16 against the true 3.17), so F is estimated from `cdfScores`,
 * M completions of the same prompt that took no part in the selection. log F is a power
 * series in G = 1 - F(r*) = P(reward > r*): log F = -sum_{j>=1} G^j / j, and with a = the
 * number of cdfScores above r*, C(a, j) / C(M, j) is an unbiased estimate of G^j (the
 * chance that j of them drawn without replacement all lie above r*) for every j <= M.
 * The sum stops at j = a (later terms are 0), so it is finite even when r* is below all
 * of them; what it leaves out, E[G^j]/j for j > M, is negligible for M >= N (best-of-N
 * makes G small: E[G^j] = N! j! / (N + j)!).
 *
 * Ties (identical completions score the same): when r* is among cdfScores the reward has
 * an atom there, and the log-ratio is log((F^N - F_^N) / (F - F_)) with F_ = P(reward < r*)
 * (the chance that the best lands on that level, over the level's mass); F and F_ are then
 * the empirical shares of cdfScores (a consistent plug-in; all rewards equal gives 0, the
 * policy itself).
 */
export function bestOfNKlEstimate(chosenScore: number, cdfScores: readonly number[], n: number): number {
  if (n === 1) return 0;
  const M = cdfScores.length;
  if (M === 0) return NaN;
  const above = cdfScores.filter((score) => score > chosenScore).length;
  const tied = cdfScores.filter((score) => score === chosenScore).length;
  if (tied > 0) {
    const [F, below] = [(M - above) / M, (M - above - tied) / M];
    return Math.log((F ** n - below ** n) / (F - below));
  }
  let logF = 0;
  let term = 1; // C(a, j) / C(M, j)
  for (let j = 1; j <= above; j++) {
    term *= (above - j + 1) / (M - j + 1);
    logF -= term / j;
  }
  return Math.log(n) + (n - 1) * logF;
}
