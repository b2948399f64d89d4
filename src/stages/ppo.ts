/**
 * The `ppo` stage: RLHF by PPO from an upstream policy against a learned reward model
 * (the DPO paper's PPO) or a ground-truth reward (PPO-GT). Its iteration is src/ppo/trainPpo.ts.
 *
 * Output folder:
 *   model/                      the final policy (config.json, model.safetensors, tokenizer.json); no value head
 *   checkpoints/step-NNNNNN/    the policy every train.checkpoint_every iterations (and at the end), a model
 *                               folder with optimizer.safetensors and trainer.json (KL controller, random state)
 *   value/step-NNNNNN.safetensors  the value function's own parameters at each checkpoint
 *   (the optimizer state and value/ serve only a resumption: removed when the stage finishes, see resumeOnly)
 *   metrics.csv, summary.json   one row per iteration (objective/*, policy/*, loss/*, val/*), the last row
 */
import { readPrompts } from '../data/artifacts.ts';
import { StageError } from '../core/errors.ts';
import { disposeModel, loadStageModel, type GPT } from '../model/index.ts';
import { trainPpo } from '../ppo/trainPpo.ts';
import { createReward } from '../rewards/index.ts';
import type { PpoSettings } from '../core/settings/ppo.ts';
import type { StageKind, StageOutput } from '../core/stageContract.ts';
import { ppoDeclaration } from './declarations.ts';

export const ppo: StageKind<PpoSettings> = {
  ...ppoDeclaration,

  async run(ctx) {
    const settings = ctx.settings;
    const { model: policy, tokenizer } = await loadStageModel(single(ctx.inputs, 'policy').dir, { trainable: false });
    let rewardModel: GPT | undefined;
    const reward = await createReward(settings.reward, { dir: ctx.inputs['reward.model']?.[0]?.dir });
    try {
      const prompts = (await readPrompts(single(ctx.inputs, 'data').dir, 'train')).map((p) => p.prompt);
      if (settings.value.init === 'reward_model') {
        if (settings.reward.kind !== 'reward_model') {
          throw new StageError(`ppo: value.init reward_model needs reward.kind reward_model, got ${settings.reward.kind}`);
        }
        rewardModel = (await loadStageModel(single(ctx.inputs, 'reward.model').dir, { trainable: false })).model;
      }
      ctx.log(`${prompts.length} train prompts, reward ${settings.reward.kind}, ${settings.kl_target === undefined ? `kl_coef ${settings.kl_coef}` : `kl_target ${settings.kl_target}`}`);
      await trainPpo(ctx, { policy, tokenizer, prompts, reward, rewardModel });
    } finally {
      reward.dispose?.();
      disposeModel(policy);
    }
  },
};

function single(inputs: Record<string, StageOutput[]>, path: string): StageOutput {
  const outputs = inputs[path] ?? [];
  if (outputs.length !== 1) throw new StageError(`ppo: ${path} must name exactly one stage instance, got ${outputs.length}`);
  return outputs[0];
}
