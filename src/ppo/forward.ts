/**
 * The forward passes PPO needs on a rollout batch, all aligned with the (B, T-1) targets
 * of a RolloutBatch: the policy's logits and per-token log-probabilities, the value of
 * each state, and the reference's log-probabilities. Call inside tf.tidy.
 *
 * The policy is the distribution the rollouts are sampled from, pi_T = softmax(logits / T)
 * at the sampling temperature T (src/ppo/sampling.ts: PPO samples without top-k / top-p),
 * so its log-probabilities (the old ones of the rollout and the new ones of the update,
 * whose ratio PPO clips), the policy term of the KL penalty and the entropy are all those
 * of pi_T, as in TRL's PPOTrainer (`logits /= args.temperature + 1e-7` before the
 * log-probabilities, in the rollout and in the update).
 *
 * The reference stays at temperature 1: the penalty is log pi_T(y_t) - log pi_ref(y_t),
 * whose sum is the sample estimate of KL(pi_T || pi_ref), the KL the evaluation puts on the
 * frontier's axis (src/losses/stepKl.ts), so PPO optimises reward - kl_coef * the KL it is
 * measured by, and kl_target is in the frontier's units. TRL divides the reference's logits
 * by T as well (KL(pi_T || pi_ref,T)); the two agree at T = 1. With T != 1 the initial
 * policy is thus already at a KL above 0 from the reference, as the evaluation measures it.
 */
import * as tf from '@tensorflow/tfjs';
import { nextTokenLogProbs, scalarHead, tokenLogProbs, transformer, type GPT } from '../model/index.ts';
import type { RolloutBatch } from './batch.ts';
import type { PpoModels } from './models.ts';

export interface PolicyValueOutputs {
  logits: tf.Tensor3D; // (B, T-1, V) logits / temperature: the distribution sampled over token t+1
  logprobs: tf.Tensor2D; // (B, T-1) log pi_T(ids[t+1] | ids[..t])
  values: tf.Tensor2D; // (B, T-1) V(ids[..t]), the value of the state before token t+1
}

/**
 * The policy's logits and log-probabilities at the sampling `temperature` (> 0) and the
 * value function, in one pass when the backbone is shared.
 */
export function policyAndValues(models: PpoModels, batch: RolloutBatch, temperature: number): PolicyValueOutputs {
  const policyHidden = truncatedHidden(models.sharedBackbone ? models.value : models.policy, batch); // (B, T-1, C)
  const valueHidden = models.sharedBackbone ? policyHidden : truncatedHidden(models.value, batch);
  const { logits, logprobs } = nextTokenLogProbs(models.policy, policyHidden, batch.ids, temperature);
  return { logits, logprobs, values: scalarHead(models.value, valueHidden) };
}

/** log pi_ref(ids[t+1] | ids[..t]) under the frozen reference, at temperature 1 (see the module comment): (B, T-1). */
export function referenceLogProbs(reference: GPT, batch: RolloutBatch): tf.Tensor2D {
  return tokenLogProbs(reference, batch);
}

/** The final hidden states of positions 0..T-2 (those that predict a next token): (B, T-1, C). */
function truncatedHidden(model: GPT, batch: RolloutBatch): tf.Tensor3D {
  const [B, T] = batch.ids.shape;
  const { hidden } = transformer(model, batch.ids, { attentionMask: batch.attentionMask }); // (B, T, C)
  return hidden.slice([0, 0, 0], [B, T - 1, model.config.nEmbd]);
}
