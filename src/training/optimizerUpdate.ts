/**
 * The element-wise updates of Adam(W) and RMSprop as one kernel per variable where the
 * backend has it (the composed ops take about fifteen); the same formulas from standard
 * ops elsewhere. Each returns the new values; the optimizer assigns them.
 */
import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS, hasFusedKernel, runFused } from '../backend/kernelNames.ts';

export interface AdamStep {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled weight decay for this variable (0 for none). */
  weightDecay: number;
  /** 1 - beta1^t and 1 - beta2^t, the bias corrections at step t. */
  correction1: number;
  correction2: number;
}

const allFloat = (...ts: tf.Tensor[]) => ts.every((t) => t.dtype === 'float32');

/**
 * m' = b1 m + (1 - b1) g; v' = b2 v + (1 - b2) g^2;
 * theta' = theta - lr ((m' / c1) / (sqrt(v' / c2) + eps) + wd theta).
 */
export function adamUpdate(theta: tf.Tensor, grad: tf.Tensor, m: tf.Tensor, v: tf.Tensor, step: AdamStep): { theta: tf.Tensor; m: tf.Tensor; v: tf.Tensor } {
  if (hasFusedKernel(FUSED_KERNELS.adam) && allFloat(theta, grad, m, v)) {
    const [thetaNext, mNext, vNext] = runFused<tf.Tensor[]>(FUSED_KERNELS.adam, { theta, grad, m, v }, { ...step });
    return { theta: thetaNext, m: mNext, v: vNext };
  }
  return tf.tidy(() => {
    const { lr, beta1, beta2, eps, weightDecay, correction1, correction2 } = step;
    const mNext = m.mul(beta1).add(grad.mul(1 - beta1));
    const vNext = v.mul(beta2).add(grad.square().mul(1 - beta2));
    const update = mNext.div(correction1).div(vNext.div(correction2).sqrt().add(eps));
    const decayed = weightDecay > 0 ? update.add(theta.mul(weightDecay)) : update;
    return { theta: theta.sub(decayed.mul(lr)), m: mNext, v: vNext };
  });
}

/** v' = rho v + (1 - rho) g^2; theta' = theta - lr g / (sqrt(v') + eps). */
export function rmspropUpdate(theta: tf.Tensor, grad: tf.Tensor, v: tf.Tensor, step: { lr: number; rho: number; eps: number }): { theta: tf.Tensor; v: tf.Tensor } {
  if (hasFusedKernel(FUSED_KERNELS.rmsprop) && allFloat(theta, grad, v)) {
    const [thetaNext, vNext] = runFused<tf.Tensor[]>(FUSED_KERNELS.rmsprop, { theta, grad, v }, { ...step });
    return { theta: thetaNext, v: vNext };
  }
  return tf.tidy(() => {
    const { lr, rho, eps } = step;
    const vNext = v.mul(rho).add(grad.square().mul(1 - rho));
    return { theta: theta.sub(grad.div(vNext.sqrt().add(eps)).mul(lr)), v: vNext };
  });
}
