/**
 * Advantages for PPO, in plain JavaScript: rollouts are small, and per-sequence loops
 * read like the formulas. Sequences end with the response (no bootstrap past the last token).
 */

export interface Advantages {
  advantages: number[]; // (T,) A_t; 0 beyond `length`
  returns: number[]; // (T,) A_t + V_t, the value function's target; 0 beyond `length`
}

/**
 * Generalised advantage estimation (Schulman et al. 2016), for one sequence:
 *   delta_t = r_t + gamma V_{t+1} - V_t   (V_length = 0: the episode ends)
 *   A_t = delta_t + gamma lambda A_{t+1}
 * rewards and values are (T,); only the first `length` positions are the response.
 */
export function gae(rewards: readonly number[], values: readonly number[], gamma: number, lambda: number, length = rewards.length): Advantages {
  if (values.length < length || rewards.length < length) {
    throw new RangeError(`gae: length ${length} exceeds rewards (${rewards.length}) or values (${values.length})`);
  }
  const advantages = new Array<number>(rewards.length).fill(0);
  const returns = new Array<number>(rewards.length).fill(0);
  let next = 0; // A_{t+1}
  for (let t = length - 1; t >= 0; t--) {
    const nextValue = t + 1 < length ? values[t + 1] : 0;
    const delta = rewards[t] + gamma * nextValue - values[t];
    next = delta + gamma * lambda * next;
    advantages[t] = next;
    returns[t] = next + values[t];
  }
  return { advantages, returns };
}

/**
 * (x - mean) / sqrt(var + 1e-8) over the positions where mask is 1, across all rows;
 * the variance is the unbiased one (n - 1), as in TRL's masked_whiten. Masked positions
 * come back as 0. With shiftMean false the mean is added back (used for rewards).
 * values and mask are (B, T).
 */
export function whiten(values: readonly (readonly number[])[], mask: readonly (readonly number[])[], shiftMean = true): number[][] {
  let n = 0;
  let sum = 0;
  values.forEach((row, b) => row.forEach((x, t) => { if (mask[b][t]) { n++; sum += x; } }));
  if (n === 0) return values.map((row) => row.map(() => 0));
  const mean = sum / n;
  let squares = 0;
  values.forEach((row, b) => row.forEach((x, t) => { if (mask[b][t]) squares += (x - mean) * (x - mean); }));
  const variance = n > 1 ? squares / (n - 1) : 0;
  const scale = 1 / Math.sqrt(variance + 1e-8);
  return values.map((row, b) => row.map((x, t) => (mask[b][t] ? (x - mean) * scale + (shiftMean ? 0 : mean) : 0)));
}
