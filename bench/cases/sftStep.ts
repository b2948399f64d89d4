/**
 * Training tokens per second of the sft stage's step (forward, loss, gradients, clip,
 * AdamW update) on full-length random sequences, for each model shape.
 */
import { createModel, disposeModel, tokenLogProbs } from '../../src/model/index.ts';
import { Random } from '../../src/core/random.ts';
import { disposeBatch, exampleBatch } from '../../src/sft/examples.ts';
import { languageModelLoss } from '../../src/losses/languageModel.ts';
import { clipByGlobalNorm } from '../../src/training/clip.ts';
import { disposeGradients, modelGradients } from '../../src/training/gradients.ts';
import { createOptimizer } from '../../src/training/optimizer.ts';
import { modelShapes } from '../modelShapes.ts';
import { median, round, timeRepeats, type BenchCase } from './types.ts';

const STEPS = 3;

export const sftStep: BenchCase = {
  name: 'sft_step',
  description: `training tokens/s of one sft step (batch x context tokens), median of ${STEPS} steps after 1 warm-up`,
  async run() {
    const results: Record<string, unknown> = {};
    for (const shape of modelShapes()) {
      const { config, batchSize: B, sequenceLength: T } = shape;
      const random = new Random(0);
      const model = createModel(config, { seed: 0 });
      const optimizer = createOptimizer({ name: 'adamw', weight_decay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
      const examples = Array.from({ length: B }, () => ({ ids: Array.from({ length: T }, () => random.int(config.vocabSize)), lossFrom: 1 }));
      const batch = exampleBatch(examples, 0);
      const seconds = await timeRepeats(() => {
        const { grads } = modelGradients([model], () => languageModelLoss(tokenLogProbs(model, { ids: batch.ids }), batch.lossMask));
        const clipped = clipByGlobalNorm(grads, 1);
        optimizer.step(model.params, clipped.grads, 1e-4);
        disposeGradients(clipped.grads);
      }, STEPS);
      disposeBatch(batch);
      optimizer.dispose();
      disposeModel(model);
      const step = median(seconds);
      results[shape.name] = { ...describe(shape), step_seconds: round(step, 3), tokens_per_second: round((B * T) / step) };
    }
    return results;
  },
};

export function describe(shape: ReturnType<typeof modelShapes>[number]) {
  const { vocabSize, contextLength, nLayer, nHead, nEmbd } = shape.config;
  return { vocab: vocabSize, context: contextLength, layers: nLayer, heads: nHead, width: nEmbd, batch: shape.batchSize, sequence: shape.sequenceLength };
}
