/**
 * The DPO family of preference losses (Rafailov et al. 2023, eq. 7) on sequence
 * log-probabilities: a sequence's log-probability is the SUM of its response tokens'
 * log-probabilities given the prompt (src/losses/sequenceLogps.ts).
 *
 * Against the reference implementation (eric-mitchell/direct-preference-optimization,
 * trainers.py `preference_loss`): the same sigmoid, conservative and IPO losses, on summed
 * log-probabilities for every variant (TRL averages them per token for IPO). One
 * difference: reference-free, the reference repository still reports
 * beta (log pi - log pi_ref) as the rewards, while here the pi_ref terms are 0 in the
 * rewards as in the loss, so the rewards are beta log pi.
 */
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../core/errors.ts';
import { logSigmoid } from './logSigmoid.ts';

export const DPO_LOSS_KINDS = ['sigmoid', 'ipo', 'hinge'] as const;
export type DpoLossKind = (typeof DPO_LOSS_KINDS)[number];

export interface PreferenceLogps {
  policyChosenLogps: tf.Tensor1D; // (B,) log pi(y_w|x)
  policyRejectedLogps: tf.Tensor1D; // (B,) log pi(y_l|x)
  referenceChosenLogps: tf.Tensor1D; // (B,) log pi_ref(y_w|x)
  referenceRejectedLogps: tf.Tensor1D; // (B,) log pi_ref(y_l|x)
}

export interface DpoLossSettings {
  beta: number;
  loss: DpoLossKind;
  /** Conservative DPO's e, in [0, 0.5); only the sigmoid loss uses it. */
  labelSmoothing: number;
  /** When true the pi_ref terms are 0 (the reference inputs are ignored). */
  referenceFree: boolean;
}

export interface DpoOutput {
  losses: tf.Tensor1D; // (B,) one loss per pair; the training loss is their mean
  chosenRewards: tf.Tensor1D; // (B,) beta (log pi(y_w|x) - log pi_ref(y_w|x)), for logging
  rejectedRewards: tf.Tensor1D; // (B,) beta (log pi(y_l|x) - log pi_ref(y_l|x)), for logging
}

/**
 * Each variant as a function of h = (log pi(y_w) - log pi_ref(y_w)) - (log pi(y_l) - log pi_ref(y_l)), (B,):
 * - sigmoid (DPO; conservative DPO when e > 0): -(1-e) log sigma(beta h) - e log sigma(-beta h)
 * - ipo (Azar et al. 2023): (h - 1/(2 beta))^2
 * - hinge (SLiC, Zhao et al. 2023): relu(1 - beta h)
 */
const dpoVariants: Record<DpoLossKind, (h: tf.Tensor, settings: DpoLossSettings) => tf.Tensor> = {
  sigmoid: (h, { beta, labelSmoothing: e }) => {
    const z = tf.mul(h, beta);
    return tf.sub(tf.mul(logSigmoid(z), -(1 - e)), tf.mul(logSigmoid(tf.neg(z)), e));
  },
  ipo: (h, { beta }) => {
    const d = tf.sub(h, 1 / (2 * beta));
    return tf.mul(d, d);
  },
  hinge: (h, { beta }) => tf.relu(tf.sub(1, tf.mul(h, beta))),
};

/**
 * DPO loss per pair, with the implicit rewards r(x, y) = beta (log pi(y|x) - log pi_ref(y|x)).
 * Its gradient with respect to log pi(y_w|x) is -beta sigma(r_l - r_w) (sigmoid, e = 0):
 * pairs the implicit reward already orders correctly weigh little.
 */
export function dpoLoss(logps: PreferenceLogps, settings: DpoLossSettings): DpoOutput {
  checkDpoSettings(settings);
  return tf.tidy(() => {
    const { beta, referenceFree } = settings;
    const chosenLogRatios = referenceFree ? logps.policyChosenLogps : tf.sub(logps.policyChosenLogps, logps.referenceChosenLogps); // (B,)
    const rejectedLogRatios = referenceFree ? logps.policyRejectedLogps : tf.sub(logps.policyRejectedLogps, logps.referenceRejectedLogps); // (B,)
    const h = tf.sub(chosenLogRatios, rejectedLogRatios); // (B,)
    return {
      losses: dpoVariants[settings.loss](h, settings) as tf.Tensor1D,
      chosenRewards: tf.mul(chosenLogRatios, beta) as tf.Tensor1D,
      rejectedRewards: tf.mul(rejectedLogRatios, beta) as tf.Tensor1D,
    };
  });
}

function checkDpoSettings({ beta, loss, labelSmoothing }: DpoLossSettings): void {
  if (!(beta > 0) || !Number.isFinite(beta)) throw new UserError(`dpo: beta must be a positive number, got ${beta}`);
  if (!(loss in dpoVariants)) throw new UserError(`dpo: unknown loss "${loss}"`, `choose one of: ${DPO_LOSS_KINDS.join(', ')}`);
  if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
    throw new UserError(`dpo: label_smoothing must be in [0, 0.5), got ${labelSmoothing}`);
  }
  if (labelSmoothing > 0 && loss !== 'sigmoid') {
    throw new UserError(`dpo: label_smoothing applies only to the sigmoid loss, not "${loss}"`, 'set label_smoothing: 0 or loss: sigmoid');
  }
}
