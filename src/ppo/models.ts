/**
 * The models PPO holds: the policy being trained, the frozen reference (the initial
 * policy), and the value function V(s_t), a scalar head (`score.weight`) either on a
 * backbone of its own (initialised from the policy or from the reward model) or on the
 * policy's backbone (one forward pass gives both; the head starts fresh).
 *
 * The value function is never part of the policy's model folder: `valueParameters` are
 * what a checkpoint saves beside it (with a shared backbone, only the head).
 */
import * as tf from '@tensorflow/tfjs';
import { cloneModel, disposeModel, SCORE_WEIGHT, withScalarHead, type GPT } from '../model/index.ts';
import { UserError } from '../core/errors.ts';

export interface ValueSettings {
  share_backbone: boolean;
  init: 'policy' | 'reward_model';
}

export interface PpoModels {
  /** The language model being trained, without a scalar head (what is sampled and saved). */
  policy: GPT;
  /** The value function: a model with a scalar head; with a shared backbone, the policy's variables plus the head. */
  value: GPT;
  /** The initial policy, frozen. */
  reference: GPT;
  sharedBackbone: boolean;
}

/**
 * Builds the three models from the upstream policy (copied: `initial` is left as it is)
 * and, for `init: reward_model`, the reward model (taken over: disposed with the rest).
 */
export function createPpoModels(initial: GPT, value: ValueSettings, options: { seed: number; rewardModel?: GPT }): PpoModels {
  const reference = cloneModel(withoutScalarHead(initial), { trainable: false });
  const trained = cloneModel(withoutScalarHead(initial), { trainable: true });
  if (value.share_backbone) {
    if (value.init !== 'policy') {
      throw new UserError('value.init reward_model needs value.share_backbone false: a shared backbone is the policy\'s', 'set value.share_backbone: false, or value.init: policy');
    }
    const valueModel = withScalarHead(trained, options.seed);
    return { policy: withoutScalarHead(valueModel), value: valueModel, reference, sharedBackbone: true };
  }
  let valueModel: GPT;
  if (value.init === 'reward_model') {
    if (!options.rewardModel) throw new UserError('value.init reward_model needs the reward `kind: reward_model` (a reward model to start from)');
    if (!options.rewardModel.scalarHead) throw new UserError('value.init reward_model: the reward model has no scalar head');
    valueModel = cloneModel(options.rewardModel, { trainable: true });
    disposeModel(options.rewardModel);
  } else {
    valueModel = withScalarHead(cloneModel(trained, { trainable: true }), options.seed);
  }
  return { policy: trained, value: valueModel, reference, sharedBackbone: false };
}

/** A view of `model` without its scalar head (the same variables). */
export function withoutScalarHead(model: GPT): GPT {
  if (!model.scalarHead) return model;
  const params = new Map(model.params);
  params.delete(SCORE_WEIGHT);
  return { config: model.config, params, scalarHead: false };
}

/** The models whose variables the optimizer updates, in the order modelGradients takes them. */
export function trainedModels(models: PpoModels): GPT[] {
  return models.sharedBackbone ? [models.value] : [models.policy, models.value];
}

/** The value function's own parameters: with a shared backbone only the head, else its whole model. */
export function valueParameters(models: PpoModels): Map<string, tf.Variable> {
  if (!models.sharedBackbone) return models.value.params;
  return new Map([[SCORE_WEIGHT, models.value.params.get(SCORE_WEIGHT)!]]);
}

export function disposePpoModels(models: PpoModels): void {
  disposeModel(models.value); // with a shared backbone, this holds the policy's variables too
  if (!models.sharedBackbone) disposeModel(models.policy);
  disposeModel(models.reference);
}
