/**
 * The losses of a classifier step and of a reward model step on their batches, as the
 * training loop's update takes them: one function per micro-batch of `microBatchSize`
 * examples (src/training/microBatches.ts), each giving its share of the batch's mean loss
 * (its sum divided by the WHOLE batch's count, src/losses/share.ts), so that the shares add
 * up to the batch's loss. Each pads its own sequences inside the update's tidy: one
 * micro-batch's tensors are alive at a time. What they keep is per example, so the
 * update's concatenation (in micro-batch order) gives the batch's values in its order.
 */
import * as tf from '@tensorflow/tfjs';
import { bradleyTerryLoss } from '../losses/bradleyTerry.ts';
import { logisticLoss } from '../losses/logistic.ts';
import { lastTokenScores, type GPT } from '../model/index.ts';
import { microBatches } from '../training/microBatches.ts';
import type { LossOutput } from '../training/update.ts';
import { padRight } from './sequences.ts';

/**
 * Binary cross-entropy of the classifier's logits on labelled token sequences ([bos, text]);
 * keeps `logits` (B,).
 */
export function classifierStepLosses(
  model: GPT,
  examples: readonly { ids: number[]; label: number }[],
  options: { pad: number; microBatchSize: number },
): (() => LossOutput)[] {
  const chunks = microBatches(examples, options.microBatchSize);
  const share = chunks.length > 1 ? examples.length : undefined; // one micro-batch: the plain mean
  return chunks.map((chunk) => () => {
    const { ids, attentionMask } = padRight(chunk.map((e) => e.ids), options.pad);
    const logits = lastTokenScores(model, ids, attentionMask); // (b,)
    return { loss: logisticLoss(logits, tf.tensor1d(chunk.map((e) => e.label)), share), kept: { logits } };
  });
}

/**
 * Bradley-Terry on pairs of token sequences ([bos, x y_w] and [bos, x y_l]), chosen rows
 * then rejected rows in one forward pass per micro-batch; keeps `chosen` and `rejected`,
 * the rewards r(x, y_w) and r(x, y_l), (B,) each.
 */
export function rewardModelStepLosses(
  model: GPT,
  pairs: readonly { chosen: number[]; rejected: number[] }[],
  options: { pad: number; microBatchSize: number; margin: number },
): (() => LossOutput)[] {
  const chunks = microBatches(pairs, options.microBatchSize);
  const share = chunks.length > 1 ? pairs.length : undefined;
  return chunks.map((chunk) => () => {
    const b = chunk.length;
    const { ids, attentionMask } = padRight([...chunk.map((p) => p.chosen), ...chunk.map((p) => p.rejected)], options.pad);
    const r = lastTokenScores(model, ids, attentionMask); // (2b,)
    const chosen = r.slice(0, b);
    const rejected = r.slice(b, b);
    return { loss: bradleyTerryLoss(chosen, rejected, options.margin, share), kept: { chosen, rejected } };
  });
}
