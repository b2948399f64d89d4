/**
 * The PPO training loop, top to bottom: resume, then per iteration: prompts, rollout
 * (sample, score, measure), per-token rewards and advantages, ppo_epochs of minibatch
 * steps, KL control, log, checkpoint. The stage (src/stages/ppo.ts) loads its inputs
 * and calls trainPpo; a test can call it with a reward of its own.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { StageError } from '../core/errors.ts';
import { AdaptiveKLController, FixedKLController, restoreKLController, type KLController, type KLControllerState } from '../losses/klController.ts';
import { copyWeights, disposeModel, modelDir, saveModel, type GPT } from '../model/index.ts';
import { Random } from '../core/random.ts';
import type { Reward } from '../rewards/index.ts';
import type { PpoSettings } from '../core/settings/ppo.ts';
import type { StageContext } from '../core/stageContract.ts';
import type { Tokenizer } from '../tokenizer/index.ts';
import { latestCheckpoint, resumeFrom, saveCheckpoint } from '../training/checkpoints.ts';
import { dropMetricsAfter } from '../training/resumeFiles.ts';
import { isEvery, lrAt, optimizerFor, type TrainSettings } from '../training/settings.ts';
import { encodePrompt } from '../model/sampleCompletions.ts';
import { createPpoModels, disposePpoModels } from './models.ts';
import { rolloutAdvantages, normalizeScores, sequenceKl } from '../losses/ppoRewards.ts';
import { collectRollout } from './rollout.ts';
import { explainedVariance, mean, tokenMean } from '../losses/statistics.ts';
import { minibatches, ppoStep, selectExamples, type PpoStepStats } from './update.ts';
import { loadValueCheckpoint, saveValueCheckpoint } from './valueCheckpoint.ts';

export interface PpoInputs {
  /** The upstream policy (copied; the caller keeps and disposes it). */
  policy: GPT;
  tokenizer: Tokenizer;
  /** The train prompts' texts. */
  prompts: string[];
  reward: Reward;
  /** The reward model, for value.init reward_model (taken over and disposed). */
  rewardModel?: GPT;
}

export const PPO_COLUMNS = [
  'iteration',
  'objective/scores',
  'objective/kl',
  'objective/kl_coef',
  'objective/rlhf_reward',
  'objective/entropy',
  'policy/approxkl',
  'policy/clipfrac',
  'loss/policy',
  'loss/value',
  'val/clipfrac',
  'val/explained_variance',
  'grad_norm',
  'lr',
  'response_length',
  'samples_per_second',
] as const;

export type PpoRow = Record<(typeof PPO_COLUMNS)[number], number>;

export async function trainPpo(ctx: StageContext<PpoSettings>, inputs: PpoInputs): Promise<PpoRow | undefined> {
  const s = ctx.settings;
  const train = s.train as TrainSettings;
  const { tokenizer, reward } = inputs;
  if (inputs.prompts.length === 0) throw new StageError('ppo: the dataset has no train prompts');
  if (s.kl_target !== undefined && !(s.kl_coef > 0)) {
    throw new StageError(`ppo: kl_target ${s.kl_target} needs kl_coef > 0 to adapt from (got ${s.kl_coef})`);
  }
  const models = createPpoModels(inputs.policy, s.value, { seed: ctx.seed, rewardModel: inputs.rewardModel });
  const optimizer = optimizerFor(train);
  const prompts = inputs.prompts.map((text) => ({ text, ids: encodePrompt(tokenizer, text, inputs.policy.config.contextLength, s.sampling.max_new_tokens) }));
  const stepsPerIteration = s.ppo_epochs * Math.ceil(s.rollout_batch / s.minibatch_size);
  const totalSteps = s.iterations * stepsPerIteration;
  const metrics = ctx.metrics([...PPO_COLUMNS]);
  let last: PpoRow | undefined;
  try {
    // Resume: the policy, the optimizer, the value function, the KL controller and the random state.
    let random = ctx.random;
    let controller: KLController = s.kl_target === undefined ? new FixedKLController(s.kl_coef) : new AdaptiveKLController(s.kl_coef, s.kl_target, s.kl_horizon);
    let start = 0;
    const checkpoint = await latestCheckpoint(ctx.outDir);
    if (checkpoint) {
      const { model, state } = await resumeFrom(checkpoint, optimizer);
      copyWeights(models.policy, model);
      disposeModel(model);
      await loadValueCheckpoint(ctx.outDir, checkpoint.step, models);
      random = Random.fromState(state.random);
      controller = restoreKLController(state.extra.kl as KLControllerState);
      start = state.step;
      await dropMetricsAfter(join(ctx.outDir, 'metrics.csv'), start, 'iteration');
      ctx.log(`resuming from iteration ${start} (kl_coef ${controller.value.toPrecision(4)})`);
    }

    ctx.progress.start(s.iterations, 'ppo');
    for (let iteration = start; iteration < s.iterations; iteration++) {
      const started = performance.now();
      // Rollout: a completion of each of rollout_batch prompts, scored and measured before any update.
      const rollout = await collectRollout(models, tokenizer, reward, drawPrompts(prompts, s.rollout_batch, random), s.sampling, random);

      // Per-token rewards (KL penalty, score at the last token), GAE advantages and returns.
      const klCoef = controller.value;
      const scores = normalizeScores(rollout.scores, s.reward_norm);
      const { advantages, returns } = rolloutAdvantages(rollout, scores, { klCoef, gamma: s.gamma, lam: s.lam, whitenRewards: s.whiten_rewards });
      const examples = { rows: rollout.rows, oldLogprobs: rollout.logprobs, oldValues: rollout.values, advantages, returns };

      // Optimise: ppo_epochs passes over shuffled minibatches.
      const steps: PpoStepStats[] = [];
      let lr = 0;
      for (let epoch = 0; epoch < s.ppo_epochs; epoch++) {
        for (const indices of minibatches(rollout.rows.length, s.minibatch_size, random)) {
          lr = lrAt(train, iteration * stepsPerIteration + steps.length, totalSteps);
          const stats = ppoStep(models, optimizer, selectExamples(examples, indices), tokenizer.pad, {
            cliprange: s.cliprange,
            cliprangeValue: s.cliprange_value,
            vfCoef: s.vf_coef,
            maxGradNorm: train.max_grad_norm,
            lr,
          });
          if (!Number.isFinite(stats.loss)) {
            throw new StageError(`ppo: the loss is ${stats.loss} at iteration ${iteration + 1}, epoch ${epoch + 1}; the last good checkpoint is kept`, 'lower train.lr or kl_coef');
          }
          steps.push(stats);
          await ctx.tick();
        }
      }

      // KL control: the sequence KL of this rollout moves an adaptive coefficient.
      const kls = rollout.logprobs.map((logprobs, b) => sequenceKl(logprobs, rollout.refLogprobs[b]));
      controller.update(mean(kls), rollout.rows.length);

      // Log.
      const seconds = (performance.now() - started) / 1000;
      const stepMean = (name: keyof PpoStepStats) => mean(steps.map((step) => step[name]));
      last = {
        iteration: iteration + 1,
        'objective/scores': mean(rollout.scores),
        'objective/kl': mean(kls),
        'objective/kl_coef': klCoef,
        'objective/rlhf_reward': mean(rollout.scores.map((score, b) => score - klCoef * kls[b])),
        'objective/entropy': tokenMean(rollout.entropy),
        'policy/approxkl': stepMean('policy/approxkl'),
        'policy/clipfrac': stepMean('policy/clipfrac'),
        'loss/policy': stepMean('loss/policy'),
        'loss/value': stepMean('loss/value'),
        'val/clipfrac': stepMean('val/clipfrac'),
        'val/explained_variance': explainedVariance(rollout.values, returns),
        grad_norm: stepMean('grad_norm'),
        lr,
        response_length: mean(rollout.rows.map((row) => row.response.length)),
        samples_per_second: rollout.rows.length / seconds,
      };
      if (isEvery(train.log_every, iteration + 1, s.iterations)) metrics.log(last);
      ctx.progress.update(iteration + 1, { score: last['objective/scores'], kl: last['objective/kl'] });

      // Checkpoint: the value function first, so that a complete checkpoint always has it.
      if (isEvery(train.checkpoint_every, iteration + 1, s.iterations)) {
        await saveValueCheckpoint(ctx.outDir, iteration + 1, models);
        await saveCheckpoint(ctx.outDir, {
          model: models.policy,
          optimizer,
          tokenizerJson: tokenizer.toJSON(),
          state: { step: iteration + 1, optimizerStep: 0, random: random.state(), extra: { kl: controller.state() } },
        });
      }
      await ctx.tick();
    }
    ctx.progress.stop();

    await saveModel(modelDir(ctx.outDir), models.policy, tokenizer.toJSON());
    await ctx.summary({ iterations: s.iterations, kl_coef: controller.value, final: last ?? null });
    return last;
  } finally {
    await metrics.close();
    optimizer.dispose();
    disposePpoModels(models);
  }
}

/** rollout_batch prompts: a shuffled pass over the prompts, repeated when there are fewer. */
function drawPrompts<T>(prompts: readonly T[], count: number, random: Random): T[] {
  const drawn: T[] = [];
  while (drawn.length < count) drawn.push(...random.shuffle(prompts).slice(0, count - drawn.length));
  return drawn;
}
