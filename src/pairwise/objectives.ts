/**
 * The objectives the pairwise training loop (loop.ts) can optimise, one per stage kind:
 * DPO and its variants, Preferred-FT and Unlikelihood. Each turns a batch's
 * log-probabilities into the training loss and its logged metrics (means over the batch).
 */
import * as tf from '@tensorflow/tfjs';
import { preferenceAccuracy } from '../losses/bradleyTerry.ts';
import { batchMean } from '../losses/share.ts';
import { dpoLoss, type DpoLossKind } from '../losses/dpo.ts';
import { chosenNll } from '../losses/languageModel.ts';
import { unlikelihoodLoss } from '../losses/unlikelihood.ts';
import type { PairLogps } from './logps.ts';

/** (B,) log pi_ref(y_w|x) and log pi_ref(y_l|x) of the batch's pairs. */
export interface ReferenceBatch {
  chosen: tf.Tensor1D;
  rejected: tf.Tensor1D;
}

/**
 * The whole batch's counts when the objective sees one micro-batch of it (gradient
 * accumulation): the loss and every metric are then the micro-batch's share of the batch's
 * value (src/losses/share.ts), which the micro-batches' shares add up to.
 */
export interface BatchCounts {
  /** The batch's number of pairs. */
  pairs: number;
  /** The batch's number of chosen completion tokens, sum_b |y_w| (the SFT terms' denominator). */
  chosenTokens: number;
}

export interface PairwiseObjective {
  /** The metric columns besides loss, grad_norm and lr (evaluations log them as eval/<name>). */
  metrics: readonly string[];
  /** Whether the loss reads the rejected completions (Preferred-FT does not). */
  usesRejected: boolean;
  /** Whether the loss needs the reference's log-probabilities. */
  usesReference: boolean;
  /**
   * The loss (a scalar, the mean over the batch) and the metrics' batch means; with `batch`,
   * this micro-batch's shares of them. Called inside a tidy.
   */
  loss(logps: PairLogps, reference: ReferenceBatch | undefined, batch?: BatchCounts): { loss: tf.Scalar; metrics: Record<string, tf.Scalar> };
}

export interface DpoObjectiveSettings {
  beta: number;
  loss: DpoLossKind;
  labelSmoothing: number;
  referenceFree: boolean;
  /** The weight of an SFT term (chosenNll) added to the DPO loss; 0 leaves it out. */
  sftWeight: number;
}

/** DPO (sigmoid, IPO, hinge; conservative with label smoothing; reference-free), optionally plus an SFT term. */
export function dpoObjective(settings: DpoObjectiveSettings): PairwiseObjective {
  const metrics = ['rewards/chosen', 'rewards/rejected', 'rewards/margins', 'rewards/accuracies', 'logps/chosen', 'logps/rejected'];
  return {
    metrics: settings.sftWeight > 0 ? [...metrics, 'loss/dpo', 'loss/sft'] : metrics,
    usesRejected: true,
    usesReference: !settings.referenceFree,
    loss(logps, reference, batch) {
      const mean = (x: tf.Tensor) => batchMean(x, batch?.pairs);
      const rejected = logps.rejected!;
      const zeros = tf.zerosLike(logps.chosenLogps);
      const { losses, chosenRewards, rejectedRewards } = dpoLoss(
        {
          policyChosenLogps: logps.chosenLogps,
          policyRejectedLogps: rejected.logps,
          referenceChosenLogps: reference?.chosen ?? zeros,
          referenceRejectedLogps: reference?.rejected ?? zeros,
        },
        { beta: settings.beta, loss: settings.loss, labelSmoothing: settings.labelSmoothing, referenceFree: settings.referenceFree },
      );
      const dpo = mean(losses);
      const margins = chosenRewards.sub(rejectedRewards);
      const values: Record<string, tf.Scalar> = {
        'rewards/chosen': mean(chosenRewards),
        'rewards/rejected': mean(rejectedRewards),
        'rewards/margins': mean(margins),
        'rewards/accuracies': preferenceAccuracy(chosenRewards, rejectedRewards, batch?.pairs),
        'logps/chosen': mean(logps.chosenLogps),
        'logps/rejected': mean(rejected.logps),
      };
      if (settings.sftWeight === 0) return { loss: dpo, metrics: values };
      const sft = chosenNll(logps.chosenLogps, logps.chosenCounts, batch?.chosenTokens);
      return { loss: dpo.add(sft.mul(settings.sftWeight)), metrics: { ...values, 'loss/dpo': dpo, 'loss/sft': sft } };
    },
  };
}

/** Preferred-FT: SFT on the chosen completions only (the prompt masked; eos a target where y_w stopped, as in sft). */
export function preferredFtObjective(): PairwiseObjective {
  return {
    metrics: ['logps/chosen'],
    usesRejected: false,
    usesReference: false,
    loss: (logps, _reference, batch) => ({
      loss: chosenNll(logps.chosenLogps, logps.chosenCounts, batch?.chosenTokens),
      metrics: { 'logps/chosen': batchMean(logps.chosenLogps, batch?.pairs) },
    }),
  };
}

/**
 * Unlikelihood: -log p(y_w|x) - alpha sum_t log(1 - p(y_l,t | x, y_l,<t)), the mean over
 * pairs. The sum runs over y_l's tokens as its log-probability does, eos included where
 * y_l stopped: stopping there is one of y_l's decisions, and its probability is pushed down
 * like any other token's (a y_l cut at max_new_tokens has no eos, and no such term).
 */
export function unlikelihoodObjective(alpha: number): PairwiseObjective {
  return {
    metrics: ['logps/chosen', 'logps/rejected'],
    usesRejected: true,
    usesReference: false,
    loss(logps, _reference, batch) {
      const mean = (x: tf.Tensor) => batchMean(x, batch?.pairs);
      const rejected = logps.rejected!;
      const losses = unlikelihoodLoss(
        { policyChosenLogps: logps.chosenLogps, policyRejectedTokenLogps: rejected.tokenLogps, rejectedMask: rejected.mask },
        alpha,
      );
      return { loss: mean(losses), metrics: { 'logps/chosen': mean(logps.chosenLogps), 'logps/rejected': mean(rejected.logps) } };
    },
  };
}
