/**
 * One PPO iteration of the imdb.yaml model, in its phases: the rollout's sampling
 * (generated tokens per second), its measurement (policy, reference and value forward
 * passes) and the optimisation (ppo_epochs passes of minibatch steps), with the ppo
 * stage's sizes from pipelines/imdb.yaml (rollout_batch, minibatch_size, ppo_epochs,
 * max_new_tokens). Every completion runs to max_new_tokens (no end-of-sequence).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { createModel, disposeModel, generate } from '../../src/model/index.ts';
import { createPpoModels, disposePpoModels, trainedModels } from '../../src/ppo/models.ts';
import { measureRollout } from '../../src/ppo/rollout.ts';
import { minibatches, ppoLoss, selectExamples } from '../../src/ppo/update.ts';
import { Random } from '../../src/core/random.ts';
import { createOptimizer } from '../../src/training/optimizer.ts';
import { optimizerUpdate } from '../../src/training/update.ts';
import { imdbShape } from '../modelShapes.ts';
import { describe } from './sftStep.ts';
import { median, round, type BenchCase } from './types.ts';

const PROMPT_TOKENS = 8;
const ITERATIONS = 2;

/** The ppo stage's sizes in pipelines/imdb.yaml (the schema's defaults where it leaves them out). */
function ppoSizes() {
  const stages = parse(readFileSync(new URL('../../pipelines/imdb.yaml', import.meta.url), 'utf8')).stages;
  const ppo = stages.ppo ?? {};
  return {
    rolloutBatch: ppo.rollout_batch ?? 16,
    minibatchSize: ppo.minibatch_size ?? 8,
    ppoEpochs: ppo.ppo_epochs ?? 4,
    maxNewTokens: ppo.sampling?.max_new_tokens ?? 24,
  };
}

export const ppoIteration: BenchCase = {
  name: 'ppo_iteration',
  description: `one PPO iteration of the imdb.yaml model with its ppo sizes: rollout sampling, measurement and optimisation times, median of ${ITERATIONS} after 1 warm-up`,
  async run() {
    const shape = imdbShape();
    const sizes = ppoSizes();
    const { config } = shape;
    const random = new Random(0);
    const initial = createModel(config, { seed: 0 });
    const models = createPpoModels(initial, { share_backbone: false, init: 'policy' }, { seed: 1 });
    disposeModel(initial);
    const optimizer = createOptimizer({ name: 'adam', weight_decay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const newTokens = Math.min(sizes.maxNewTokens, config.contextLength - PROMPT_TOKENS);
    const phases = { sampling: [] as number[], measuring: [] as number[], optimising: [] as number[] };
    for (let i = 0; i <= ITERATIONS; i++) {
      const prompts = Array.from({ length: sizes.rolloutBatch }, () => Array.from({ length: PROMPT_TOKENS }, () => 1 + random.int(config.vocabSize - 1)));
      let start = performance.now();
      const responses = await generate(models.policy, prompts, { temperature: 1, maxNewTokens: newTokens, random });
      const sampling = (performance.now() - start) / 1000;

      start = performance.now();
      const rows = prompts.map((prompt, b) => ({ prompt, response: responses[b] }));
      const measured = await measureRollout(models, rows, { pad: 0, chunk: sizes.rolloutBatch, temperature: 1 });
      const measuring = (performance.now() - start) / 1000;

      start = performance.now();
      const examples = {
        rows,
        oldLogprobs: measured.logprobs,
        oldValues: measured.values,
        advantages: measured.values.map((row) => row.map(() => random.normal())),
        returns: measured.values.map((row) => row.map(() => random.normal())),
      };
      for (let epoch = 0; epoch < sizes.ppoEpochs; epoch++) {
        for (const indices of minibatches(rows.length, sizes.minibatchSize, random)) {
          const minibatch = selectExamples(examples, indices);
          await optimizerUpdate(trainedModels(models), optimizer, () => {
            const { loss, stats } = ppoLoss(models, minibatch, 0, { cliprange: 0.2, cliprangeValue: 0.2, vfCoef: 0.1, temperature: 1 });
            return { loss, kept: stats };
          }, { lr: 1e-5, maxGradNorm: 1 });
        }
      }
      const optimising = (performance.now() - start) / 1000;
      if (i > 0) {
        phases.sampling.push(sampling);
        phases.measuring.push(measuring);
        phases.optimising.push(optimising);
      }
    }
    optimizer.dispose();
    disposePpoModels(models);
    const steps = sizes.ppoEpochs * Math.ceil(sizes.rolloutBatch / sizes.minibatchSize);
    const [sampling, measuring, optimising] = [median(phases.sampling), median(phases.measuring), median(phases.optimising)];
    return {
      [shape.name]: {
        ...describe(shape),
        rollout_batch: sizes.rolloutBatch,
        new_tokens: newTokens,
        minibatch_size: sizes.minibatchSize,
        ppo_epochs: sizes.ppoEpochs,
        optimisation_steps: steps,
        rollout_tokens_per_second: round((sizes.rolloutBatch * newTokens) / sampling),
        sampling_seconds: round(sampling, 3),
        measuring_seconds: round(measuring, 3),
        optimisation_seconds: round(optimising, 3),
        step_seconds: round(optimising / steps, 3),
        iteration_seconds: round(sampling + measuring + optimising, 3),
      },
    };
  },
};
