/**
 * What PPO maximises, token by token (Ziegler et al. 2019; Stiennon et al. 2020):
 *   R(x, y) = r(x, y) - kl_coef * sum_t (log pi(y_t | x, y_<t) - log pi_ref(y_t | x, y_<t)),
 * spread over the response as a per-token KL penalty with the sequence score added at
 * the last token; then GAE advantages (src/losses/gae.ts). Plain JavaScript on ragged
 * rows: one number per response token (eos included where the policy stopped), no padding
 * anywhere. pi is the distribution sampled, softmax(logits / T) at the sampling
 * temperature, and pi_ref the reference at temperature 1 (src/ppo/forward.ts).
 *
 * As TRL's PPO trainer (`compute_rewards` with kl_penalty "kl"): -kl_coef (log pi - log pi_ref)
 * per token, the score added at the last one. One difference: TRL's score scaling keeps
 * running moments across batches, while normalizeScores whitens within the rollout batch.
 */
import { gae, whiten } from './gae.ts';
import { mean, variance } from './statistics.ts';

export interface RewardNormSettings {
  /** Whiten the scores over the rollout batch: (s - mean) / std. */
  normalize: boolean;
  /** Clip the (normalised) scores to [-clip, clip]; 0 turns clipping off. */
  clip: number;
}

/**
 * The scores PPO optimises: with `normalize`, (s - mean) / sqrt(var + 1e-8) over the
 * rollout batch (population variance); then clipped to [-clip, clip] when clip > 0.
 */
export function normalizeScores(scores: readonly number[], settings: RewardNormSettings): number[] {
  let out = scores.slice();
  if (settings.normalize && out.length > 0) {
    const [m, v] = [mean(out), variance(out)];
    out = out.map((x) => (x - m) / Math.sqrt(v + 1e-8));
  }
  if (settings.clip > 0) out = out.map((x) => Math.min(Math.max(x, -settings.clip), settings.clip));
  return out;
}

/**
 * r_t = -kl_coef (log pi(y_t) - log pi_ref(y_t)) for every response token, plus `score`
 * on the last one. logprobs and refLogprobs are (L,); returns (L,).
 */
export function perTokenRewards(logprobs: readonly number[], refLogprobs: readonly number[], score: number, klCoef: number): number[] {
  const rewards = logprobs.map((logp, t) => -klCoef * (logp - refLogprobs[t]));
  rewards[rewards.length - 1] += score;
  return rewards;
}

/** sum_t (log pi(y_t) - log pi_ref(y_t)): the sequence's sampled KL estimate, `objective/kl` per sample. */
export function sequenceKl(logprobs: readonly number[], refLogprobs: readonly number[]): number {
  return logprobs.reduce((s, logp, t) => s + logp - refLogprobs[t], 0);
}

export interface AdvantageSettings {
  klCoef: number;
  gamma: number;
  lam: number;
  /** Whiten the per-token rewards over the batch (mean kept) before GAE, as TRL's whiten_rewards. */
  whitenRewards: boolean;
}

export interface RolloutAdvantages {
  rewards: number[][]; // (B, L_b) per-token rewards
  advantages: number[][]; // (B, L_b) GAE advantages, whitened over all response tokens of the batch
  returns: number[][]; // (B, L_b) unwhitened advantages + values: the value function's target
}

/** Per-token rewards, GAE advantages (whitened over the batch) and returns for a rollout batch (ragged rows). */
export function rolloutAdvantages(
  rollout: { logprobs: number[][]; refLogprobs: number[][]; values: number[][] },
  scores: readonly number[],
  settings: AdvantageSettings,
): RolloutAdvantages {
  let rewards = rollout.logprobs.map((logprobs, b) => perTokenRewards(logprobs, rollout.refLogprobs[b], scores[b], settings.klCoef));
  const ones = rewards.map((row) => row.map(() => 1));
  if (settings.whitenRewards) rewards = whiten(rewards, ones, false);
  const estimates = rewards.map((row, b) => gae(row, rollout.values[b], settings.gamma, settings.lam));
  return {
    rewards,
    advantages: whiten(estimates.map((e) => e.advantages), ones),
    returns: estimates.map((e) => e.returns),
  };
}
