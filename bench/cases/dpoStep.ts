/**
 * The dpo stage's step on the imdb.yaml model: pairs and tokens per second of one step
 * (one forward pass over the chosen and rejected sequences stacked, the DPO loss against
 * reference log-probabilities computed beforehand, gradients, clip, RMSprop update), and
 * pairs per second of the one-off reference pass that precomputes them. The batch is the
 * dpo stage's batch_size of pairs; each pair a prompt of 8 tokens and two completions of
 * the prefs stage's max_new_tokens.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { createModel, disposeModel } from '../../src/model/index.ts';
import type { PairIds } from '../../src/pairwise/batch.ts';
import { referenceBatch } from '../../src/pairwise/evaluate.ts';
import { pairLogps } from '../../src/pairwise/logps.ts';
import { dpoObjective } from '../../src/pairwise/objectives.ts';
import { computeReferenceLogps, type ReferenceLogps } from '../../src/pairwise/reference.ts';
import { Random } from '../../src/core/random.ts';
import { clipByGlobalNorm } from '../../src/training/clip.ts';
import { disposeGradients, modelGradients } from '../../src/training/gradients.ts';
import { createOptimizer } from '../../src/training/optimizer.ts';
import { imdbShape } from '../modelShapes.ts';
import { median, round, timeRepeats, type BenchCase } from './types.ts';

const STEPS = 5;
const PROMPT_TOKENS = 8;

export const dpoStep: BenchCase = {
  name: 'dpo_step',
  description: `pairs/s and tokens/s of one dpo step on the imdb.yaml model (reference log-probabilities precomputed), median of ${STEPS} steps after 1 warm-up; and of the reference pass`,
  async run() {
    const shape = imdbShape();
    const stages = parse(readFileSync(new URL('../../pipelines/imdb.yaml', import.meta.url), 'utf8')).stages;
    const B: number = stages.dpo.train.batch_size;
    const completion = Math.min(stages.prefs.sampling.max_new_tokens, shape.config.contextLength - PROMPT_TOKENS);
    const random = new Random(0);
    const ids = (n: number) => Array.from({ length: n }, () => 4 + random.int(shape.config.vocabSize - 4));
    const pairs: PairIds[] = Array.from({ length: B }, () => ({ prompt_ids: ids(PROMPT_TOKENS), chosen_ids: ids(completion), rejected_ids: ids(completion) }));
    const model = createModel(shape.config, { seed: 0 });

    // The reference pass, once (as the stage does before training).
    let reference: ReferenceLogps | undefined;
    const [referenceSeconds] = await timeRepeats(async () => {
      reference = (await computeReferenceLogps(model, pairs, { pad: 0, batchSize: B })).logps;
    }, 1);

    const objective = dpoObjective({ beta: 0.1, loss: 'sigmoid', labelSmoothing: 0, referenceFree: false, sftWeight: 0 });
    const optimizer = createOptimizer({ name: 'rmsprop', weight_decay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const seconds = await timeRepeats(() => {
      const { grads } = modelGradients([model], () => objective.loss(pairLogps(model, pairs, 0, { rejected: true }), referenceBatch(reference, 0, B)).loss);
      const clipped = clipByGlobalNorm(grads, 1);
      optimizer.step(model.params, clipped.grads, 1e-4);
      disposeGradients(clipped.grads);
    }, STEPS);
    optimizer.dispose();
    disposeModel(model);
    const step = median(seconds);
    const tokens = 2 * B * (PROMPT_TOKENS + completion);
    return {
      imdb: {
        model: { vocab: shape.config.vocabSize, context: shape.config.contextLength, layers: shape.config.nLayer, heads: shape.config.nHead, width: shape.config.nEmbd },
        pairs: B,
        prompt_tokens: PROMPT_TOKENS,
        completion_tokens: completion,
        step_seconds: round(step, 3),
        pairs_per_second: round(B / step),
        tokens_per_second: round(tokens / step),
        reference_pairs_per_second: round(B / referenceSeconds),
      },
    };
  },
};
