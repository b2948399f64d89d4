/**
 * What PPO may sample with. PPO's ratio, its KL penalty and its entropy are computed from
 * the log-probabilities of the distribution the rollouts were drawn from, pi_T =
 * softmax(logits / T) (src/ppo/forward.ts), so the sampling settings must name a
 * distribution that has them:
 *
 *   - temperature > 0: greedy decoding (T = 0) is a point mass with no gradient, and
 *     logits / T has no meaning;
 *   - top_k 0 and top_p 1: a top-k / top-p draw is softmax(logits / T) renormalised over a
 *     kept set that itself depends on the policy's logits. A sampled token can leave the
 *     kept set during the update (log-probability -Infinity, a ratio of 0 and no gradient),
 *     and a token outside it has log pi = -Infinity against a finite log pi_ref. TRL's
 *     PPOTrainer samples with top_k 0 and top_p 1 for this reason. Rejected rather than
 *     approximated.
 *
 * One rule for the pipeline's validation (src/pipeline/rules.ts, with file positions) and
 * for trainPpo (a UserError when it is called with settings that did not pass through it).
 */

/** The sampling settings this rule reads (the resolved `sampling:` block, or as written). */
export interface PpoSamplingInput {
  temperature?: unknown;
  top_k?: unknown;
  top_p?: unknown;
}

export interface PpoSamplingProblem {
  /** The key of the `sampling:` block at fault. */
  key: 'temperature' | 'top_k' | 'top_p';
  message: string;
}

/** The reasons these sampling settings cannot be PPO's, none when they can (unset keys take the schema's defaults: 1, 0, 1). */
export function ppoSamplingProblems(sampling: PpoSamplingInput): PpoSamplingProblem[] {
  const problems: PpoSamplingProblem[] = [];
  const { temperature = 1, top_k: topK = 0, top_p: topP = 1 } = sampling;
  if (typeof temperature === 'number' && !(temperature > 0)) {
    problems.push({
      key: 'temperature',
      message: `ppo samples its rollouts at temperature ${temperature}: PPO needs temperature > 0 (its ratio and KL penalty are log-probabilities of softmax(logits / temperature); greedy decoding has none); set sampling.temperature, e.g. 1`,
    });
  }
  if (typeof topK === 'number' && topK !== 0) {
    problems.push({
      key: 'top_k',
      message: `ppo cannot sample with top_k ${topK}: its ratio and KL penalty need the log-probabilities of the whole distribution softmax(logits / temperature); set sampling.top_k: 0`,
    });
  }
  if (typeof topP === 'number' && topP !== 1) {
    problems.push({
      key: 'top_p',
      message: `ppo cannot sample with top_p ${topP}: its ratio and KL penalty need the log-probabilities of the whole distribution softmax(logits / temperature); set sampling.top_p: 1`,
    });
  }
  return problems;
}
