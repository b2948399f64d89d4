/**
 * The loss of an sft step on a batch of examples, as the training loop's update takes it:
 * one function per micro-batch of `microBatchSize` examples (src/training/microBatches.ts),
 * each giving its share of the batch's mean next-token cross-entropy per target token,
 * its own summed negative log-likelihood divided by the WHOLE batch's number of targets, so
 * that the shares add up to the batch's loss however the targets fall into micro-batches.
 * Each builds its padded tensors itself, inside the update's tidy: only one micro-batch's
 * tensors are alive at a time.
 */
import { tokenLogProbs, type GPT } from '../model/index.ts';
import { languageModelLoss } from '../losses/languageModel.ts';
import type { Random } from '../core/random.ts';
import { microBatches } from '../training/microBatches.ts';
import type { LossOutput } from '../training/update.ts';
import { exampleBatch, type Example } from './examples.ts';

export interface SftStepLosses {
  losses: (() => LossOutput)[];
  /** The batch's number of target tokens (the loss's denominator). */
  targets: number;
  /** The batch's number of real (non-padding) tokens. */
  tokens: number;
}

/** The micro-batches' losses of `examples` (dropout drawn from `random` when given; none when the model has none). */
export function sftStepLosses(model: GPT, examples: readonly Example[], options: { pad: number; microBatchSize: number; random?: Random }): SftStepLosses {
  const chunks = microBatches(examples, options.microBatchSize);
  const targets = examples.reduce((n, e) => n + Math.max(0, e.ids.length - Math.max(1, e.lossFrom)), 0);
  const tokens = examples.reduce((n, e) => n + e.ids.length, 0);
  const losses = chunks.map((chunk) => () => {
    const batch = exampleBatch(chunk, options.pad); // disposed by the update's tidy
    const logps = tokenLogProbs(model, { ids: batch.ids }, { training: true, random: options.random });
    // One micro-batch: the plain loss, as without accumulation; several: each its share.
    return { loss: languageModelLoss(logps, batch.lossMask, chunks.length > 1 ? targets : undefined) };
  });
  return { losses, targets, tokens };
}
