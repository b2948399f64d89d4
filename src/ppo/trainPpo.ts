/**
 * PPO's training: resume (the policy, the optimizer, the value function, the KL
 * controller and the random state), then one iteration per step of the training loop
 * (src/training/trainLoop.ts): prompts, rollout (sample, score, measure), per-token
 * rewards and advantages, ppo_epochs of minibatch updates, KL control. The loop logs,
 * checkpoints and ticks per iteration. The stage (src/stages/ppo.ts) loads its inputs
 * and calls trainPpo; a test can call it with a reward of its own.
 */
import { performance } from 'node:perf_hooks';
import { StageError, UserError } from '../core/errors.ts';
import { AdaptiveKLController, FixedKLController, restoreKLController, type KLController, type KLControllerState } from '../losses/klController.ts';
import { copyWeights, disposeModel, modelDir, saveModel, type GPT } from '../model/index.ts';
import { Random } from '../core/random.ts';
import type { Reward } from '../rewards/index.ts';
import type { PpoSettings } from '../core/settings/ppo.ts';
import type { StageContext } from '../core/stageContract.ts';
import type { Tokenizer } from '../tokenizer/index.ts';
import type { Optimizer } from '../training/optimizer.ts';
import { resume } from '../training/resume.ts';
import { optimizerFor, type TrainSettings } from '../training/settings.ts';
import type { Trainee } from '../training/trainee.ts';
import { trainLoop } from '../training/trainLoop.ts';
import { encodePrompt } from '../model/sampleCompletions.ts';
import { createPpoModels, disposePpoModels, trainedModels, type PpoModels } from './models.ts';
import { rolloutAdvantages, normalizeScores, sequenceKl } from '../losses/ppoRewards.ts';
import { collectRollout, type Rollout } from './rollout.ts';
import { explainedVariance, mean, tokenMean } from '../losses/statistics.ts';
import { minibatches, ppoStepLosses, selectExamples, type PpoStepStats } from './update.ts';
import { microBatchSize as microBatchSizeOf } from '../training/microBatches.ts';
import { readValueCheckpoint, restoreValue, saveValueCheckpoint } from './valueCheckpoint.ts';
import { ppoSamplingProblems } from './sampling.ts';

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

/** `step` is the x-axis every training stage shares (one PPO step is one iteration: a rollout and its updates). */
export const PPO_COLUMNS = [
  'step',
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
  const { tokenizer } = inputs;
  if (inputs.prompts.length === 0) throw new StageError('ppo: the dataset has no train prompts');
  const [samplingProblem] = ppoSamplingProblems(s.sampling);
  if (samplingProblem) throw new UserError(samplingProblem.message);
  if (s.kl_target !== undefined && !(s.kl_coef > 0)) {
    throw new StageError(`ppo: kl_target ${s.kl_target} needs kl_coef > 0 to adapt from (got ${s.kl_coef})`);
  }
  const models = createPpoModels(inputs.policy, s.value, { seed: ctx.seed, rewardModel: inputs.rewardModel });
  const optimizer = optimizerFor(train);
  try {
    // Resume: the policy, the optimizer, the value function, the KL controller and the random state.
    let random = ctx.random;
    let controller: KLController = s.kl_target === undefined ? new FixedKLController(s.kl_coef) : new AdaptiveKLController(s.kl_coef, s.kl_target, s.kl_horizon);
    const resumed = await resume(ctx, { optimizer, stepColumn: 'step', readBeside: (checkpoint) => readValueCheckpoint(ctx.outDir, checkpoint.step, models) });
    if (resumed) {
      copyWeights(models.policy, resumed.model);
      disposeModel(resumed.model);
      restoreValue(models, resumed.beside);
      random = Random.fromState(resumed.state.random);
      controller = restoreKLController(resumed.state.extra.kl as KLControllerState);
      ctx.log(`kl_coef ${controller.value.toPrecision(4)} from the checkpoint`);
    }

    const iterations = ppoTrainee(ctx, inputs, { models, optimizer, random, controller, resumedFrom: resumed?.checkpoint, startStep: resumed?.state.step ?? 0 });
    await trainLoop(ctx, iterations.trainee);

    await saveModel(modelDir(ctx.outDir), models.policy, tokenizer.toJSON());
    await ctx.summary({ iterations: s.iterations, kl_coef: controller.value, final: iterations.last() ?? null });
    return iterations.last();
  } finally {
    optimizer.dispose();
    disposePpoModels(models);
  }
}

interface PpoParts {
  models: PpoModels;
  optimizer: Optimizer;
  random: Random;
  controller: KLController;
  resumedFrom: Trainee['resumedFrom'];
  startStep: number;
}

/** PPO's iteration as the training loop's step, and the last iteration's row. */
function ppoTrainee(ctx: StageContext<PpoSettings>, inputs: PpoInputs, parts: PpoParts): { trainee: Trainee; last: () => PpoRow | undefined } {
  const s = ctx.settings;
  const { tokenizer, reward } = inputs;
  const { models, random, controller } = parts;
  const prompts = inputs.prompts.map((text) => ({ text, ids: encodePrompt(tokenizer, text, inputs.policy.config.contextLength, s.sampling.max_new_tokens) }));
  const lossSettings = { cliprange: s.cliprange, cliprangeValue: s.cliprange_value, vfCoef: s.vf_coef, temperature: s.sampling.temperature };
  const microBatchSize = microBatchSizeOf(s.train as TrainSettings, s.minibatch_size); // divides minibatch_size
  // The rollout's measuring forward passes (policy, values, reference) take at most a micro-batch's rows at a time too.
  const measureChunk = s.train.micro_batch_size === undefined ? s.sampling.batch_size : Math.min(s.sampling.batch_size, microBatchSize);
  let last: PpoRow | undefined;

  const trainee: Trainee = {
    train: s.train as TrainSettings,
    total: s.iterations,
    updatesPerStep: s.ppo_epochs * Math.ceil(s.rollout_batch / s.minibatch_size),
    startStep: parts.startStep,
    resumedFrom: parts.resumedFrom,
    columns: [...PPO_COLUMNS],
    optimizer: parts.optimizer,
    trained: trainedModels(models),
    model: models.policy,
    tokenizer,

    async step(iteration, update) {
      const started = performance.now();
      // Rollout: a completion of each of rollout_batch prompts, scored and measured before any update.
      const rollout = await collectRollout(models, tokenizer, reward, drawPrompts(prompts, s.rollout_batch, random), s.sampling, random, measureChunk);

      // Per-token rewards (KL penalty, score at the last token), GAE advantages and returns.
      const klCoef = controller.value;
      const scores = normalizeScores(rollout.scores, s.reward_norm);
      const { advantages, returns } = rolloutAdvantages(rollout, scores, { klCoef, gamma: s.gamma, lam: s.lam, whitenRewards: s.whiten_rewards });
      const examples = { rows: rollout.rows, oldLogprobs: rollout.logprobs, oldValues: rollout.values, advantages, returns };

      // Optimise: ppo_epochs passes over shuffled minibatches, one update each.
      const steps: PpoStepStats[] = [];
      let lr = 0;
      for (let epoch = 0; epoch < s.ppo_epochs; epoch++) {
        for (const indices of minibatches(rollout.rows.length, s.minibatch_size, random)) {
          // The minibatch's loss, one function per micro-batch (gradient accumulation); each statistic is kept as one share per micro-batch.
          const out = await update(ppoStepLosses(models, selectExamples(examples, indices), tokenizer.pad, lossSettings, microBatchSize));
          const measured = Object.fromEntries(Object.entries(out.kept).map(([name, shares]) => [name, shares.reduce((a, b) => a + b, 0)]));
          steps.push({ loss: out.loss, ...measured, grad_norm: out.gradNorm } as PpoStepStats);
          lr = out.lr;
          await ctx.tick();
        }
      }

      // KL control: the sequence KL of this rollout moves an adaptive coefficient.
      const kls = rollout.logprobs.map((logprobs, b) => sequenceKl(logprobs, rollout.refLogprobs[b]));
      controller.update(mean(kls), rollout.rows.length);

      // The row.
      last = iterationRow(iteration + 1, { rollout, returns, kls, klCoef, steps, lr, seconds: (performance.now() - started) / 1000 });
      return { score: last['objective/scores'], kl: last['objective/kl'] };
    },

    row: () => last!,
    checkpointState: () => ({ random: random.state(), extra: { kl: controller.state() } }),
    saveBeside: (step) => saveValueCheckpoint(ctx.outDir, step, models),
  };
  return { trainee, last: () => last };
}

/** The metrics row of an iteration: its rollout, the KL coefficient it was penalised with, and the means of its updates. */
function iterationRow(
  iteration: number,
  it: { rollout: Rollout; returns: number[][]; kls: number[]; klCoef: number; steps: PpoStepStats[]; lr: number; seconds: number },
): PpoRow {
  const { rollout, kls, klCoef, steps } = it;
  const stepMean = (name: keyof PpoStepStats) => mean(steps.map((step) => step[name]));
  return {
    step: iteration,
    iteration,
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
    'val/explained_variance': explainedVariance(rollout.values, it.returns),
    grad_norm: stepMean('grad_norm'),
    lr: it.lr,
    response_length: mean(rollout.rows.map((row) => row.response.length)),
    samples_per_second: rollout.rows.length / it.seconds,
  };
}

/** rollout_batch prompts: a shuffled pass over the prompts, repeated when there are fewer. */
function drawPrompts<T>(prompts: readonly T[], count: number, random: Random): T[] {
  const drawn: T[] = [];
  while (drawn.length < count) drawn.push(...random.shuffle(prompts).slice(0, count - drawn.length));
  return drawn;
}
