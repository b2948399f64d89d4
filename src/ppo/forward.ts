/**
 * The forward passes PPO needs on a rollout batch, all aligned with the (B, T-1) targets
 * of a RolloutBatch: the policy's logits and per-token log-probabilities, the value of
 * each state, and the reference's log-probabilities. Call inside tf.tidy.
 */
import * as tf from '@tensorflow/tfjs';
import { nextTokenLogProbs, scalarHead, tokenLogProbs, transformer, type GPT } from '../model/index.ts';
import type { RolloutBatch } from './batch.ts';
import type { PpoModels } from './models.ts';

export interface PolicyValueOutputs {
  logits: tf.Tensor3D; // (B, T-1, V) the distribution over token t+1
  logprobs: tf.Tensor2D; // (B, T-1) log pi(ids[t+1] | ids[..t])
  values: tf.Tensor2D; // (B, T-1) V(ids[..t]), the value of the state before token t+1
}

/** The policy's logits and log-probabilities and the value function, in one pass when the backbone is shared. */
export function policyAndValues(models: PpoModels, batch: RolloutBatch): PolicyValueOutputs {
  const policyHidden = truncatedHidden(models.sharedBackbone ? models.value : models.policy, batch); // (B, T-1, C)
  const valueHidden = models.sharedBackbone ? policyHidden : truncatedHidden(models.value, batch);
  const { logits, logprobs } = nextTokenLogProbs(models.policy, policyHidden, batch.ids);
  return { logits, logprobs, values: scalarHead(models.value, valueHidden) };
}

/** log pi_ref(ids[t+1] | ids[..t]) under the frozen reference: (B, T-1). */
export function referenceLogProbs(reference: GPT, batch: RolloutBatch): tf.Tensor2D {
  return tokenLogProbs(reference, batch);
}

/** The final hidden states of positions 0..T-2 (those that predict a next token): (B, T-1, C). */
function truncatedHidden(model: GPT, batch: RolloutBatch): tf.Tensor3D {
  const [B, T] = batch.ids.shape;
  const { hidden } = transformer(model, batch.ids, { attentionMask: batch.attentionMask }); // (B, T, C)
  return hidden.slice([0, 0, 0], [B, T - 1, model.config.nEmbd]);
}
