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
 * A measured estimate for one prompt: log N + (N-1) log F(r*), where r* is the chosen
 * completion's reward and F the empirical CDF of the reward over that prompt's pool,
 * F(r) = |{i : score_i <= r}| / |pool|. With continuous rewards, best-of-N's density is
 * pi(y) N F(r(y))^(N-1), so this is the log density ratio log pi_BoN(y)/pi(y) at the
 * chosen sample (the estimator of Beirami et al. 2024); averaged over prompts it
 * estimates KL(pi_BoN || pi). N = 1 gives 0. F is only as fine as the pool: when N is
 * the pool's size, r* is the pool's best, F(r*) = 1 and the estimate is log N, above
 * the bound; it is accurate for N well below the pool size.
 */
export function bestOfNKlEstimate(poolScores: readonly number[], chosenScore: number, n: number): number {
  const atOrBelow = poolScores.filter((score) => score <= chosenScore).length;
  return Math.log(n) + (n - 1) * Math.log(atOrBelow / poolScores.length);
}
