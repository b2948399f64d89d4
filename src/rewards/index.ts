/**
 * The reward kinds: the only list of them. A pipeline's `reward: {kind: ...}` is built by
 * the factory under its kind. Learned kinds (`classifier`, `reward_model`) load from the
 * output folder of the stage that trained them (`inputs.dir`).
 */
import { UserError } from '../core/errors.ts';
import { createClassifierReward } from './classifier.ts';
import { createLexiconReward } from './lexicon.ts';
import { createRewardModelReward } from './rewardModel.ts';
import type { Reward, RewardFactory, RewardInputs, RewardSpec } from './types.ts';

export type { Reward, RewardFactory, RewardInputs, RewardSettings, RewardSpec } from './types.ts';

export const rewardKinds: Record<string, RewardFactory> = {
  sentiment_lexicon: createLexiconReward,
  classifier: createClassifierReward,
  reward_model: createRewardModelReward,
};

/** The reward that `settings` describes; an unknown kind is a UserError listing the known ones. */
export async function createReward(settings: RewardSpec, inputs: RewardInputs = {}): Promise<Reward> {
  const factory = Object.hasOwn(rewardKinds, settings.kind) ? rewardKinds[settings.kind] : undefined;
  if (!factory) {
    throw new UserError(`unknown reward kind ${JSON.stringify(settings.kind)}`, `choose one of: ${Object.keys(rewardKinds).join(', ')}`);
  }
  return factory(settings, inputs);
}
