/**
 * The per-step KL between the distribution a policy samples from and the reference:
 *
 *   pi_T(v | ctx) = softmax(logits / T)_v renormalised over the support S (top-k / top-p;
 *                   every id when unrestricted; the argmax alone at T = 0), 0 outside S
 *   KL_t = KL(pi_T(.|x,y<t) || pi_ref(.|x,y<t)) = sum_v pi_T(v) (log pi_T(v) - log pi_ref(v))
 *
 * Summed along a sampled completion (eos included, src/model/completionTokens.ts) it is
 * the "exact per-step" estimate of the sequence KL(pi_T || pi_ref): the same expectation
 * as the sample log-ratio log pi_T(y|x) - log pi_ref(y|x) (by the chain rule of KL), never
 * negative, and of much lower variance (the sum over the vocabulary is exact; only the
 * path is sampled).
 *
 * The reference stays at temperature 1: the KL is to the reference policy itself, as in
 * the paper's frontier. (TRL's PPOTrainer divides the reference's logits by the sampling
 * temperature too, which measures KL(pi_T || pi_ref,T) instead; at T = 1 they agree.)
 */
import * as tf from '@tensorflow/tfjs';

/**
 * log pi_T(v | ctx) per row: logits (N, V) -> (N, V), logSoftmax(logits / T) over the
 * support and -Infinity outside it. `support` (N, V) is 1 on the ids kept (every id when
 * omitted). T = 0 needs a support (the argmax: the point mass greedy decoding samples);
 * its kept ids get log-probability log(1 / |S|) = 0 for a single id.
 */
export function temperedLogProbs(logits: tf.Tensor2D, temperature: number, support?: tf.Tensor2D): tf.Tensor2D {
  if (temperature < 0 || !Number.isFinite(temperature)) throw new RangeError(`temperedLogProbs: temperature ${temperature} is not a finite number >= 0`);
  if (temperature === 0 && !support) throw new Error('temperedLogProbs: temperature 0 (greedy) needs its support, the argmax of each row');
  return tf.tidy(() => {
    // At T = 0 every kept id weighs the same (one id: probability 1).
    const scaled = temperature === 0 ? tf.zerosLike(logits) : tf.div(logits, temperature);
    if (!support) return tf.logSoftmax(scaled) as tf.Tensor2D;
    const kept = tf.greater(support, 0);
    const masked = tf.where(kept, scaled, tf.fill(logits.shape, -Infinity));
    const logSumExp = tf.logSumExp(masked, 1, true); // (N, 1), finite: every row keeps an id
    return tf.where(kept, tf.sub(masked, logSumExp), tf.fill(logits.shape, -Infinity)) as tf.Tensor2D;
  });
}

/**
 * KL(p || q) per row from log-probabilities (N, V) -> (N,): sum_v p_v (log p_v - log q_v),
 * where an id with p_v = 0 (log p_v = -Infinity) contributes 0. Non-negative up to
 * rounding. No gradient is meant to flow through it (an evaluation measure).
 */
export function stepKl(policyLogProbs: tf.Tensor2D, referenceLogProbs: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const p = tf.exp(policyLogProbs);
    const kept = tf.greater(p, 0);
    const terms = tf.where(kept, tf.mul(p, tf.sub(policyLogProbs, referenceLogProbs)), tf.zerosLike(p));
    return tf.sum(terms, 1) as tf.Tensor1D;
  });
}
