/**
 * One optimizer update: the loss and its gradients with respect to the models' trainable
 * parameters, clipped by global norm, then the optimizer's step, taken only when the loss
 * and the gradient norm are finite (the training loop stops the stage when they are not,
 * nonFinite.ts). Tensors the loss function keeps (a batch's metrics or scores) are read
 * back as numbers.
 *
 * With gradient accumulation (microBatches.ts) the loss comes as a list, one function per
 * micro-batch, each giving its share of the batch's loss: they run one after another, each
 * one's tensors freed before the next, their losses and gradients summed; then one clip
 * (the global norm of the summed gradient) and one optimizer step.
 */
import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/index.ts';
import { clipByGlobalNorm } from './clip.ts';
import { disposeGradients, modelGradients, namedVariables } from './gradients.ts';
import { isFiniteStep } from './nonFinite.ts';
import type { Optimizer } from './optimizer.ts';

/** What a stage's loss function gives: the scalar to descend, and tensors to read back after the update. */
export interface LossOutput {
  loss: tf.Scalar;
  kept?: Record<string, tf.Tensor>;
}

/** A loss function, or the micro-batches' (their losses sum to the batch's). */
export type LossFunctions = (() => LossOutput) | readonly (() => LossOutput)[];

export interface UpdateResult {
  /** The loss (the sum of the micro-batches' shares). */
  loss: number;
  /** The global gradient norm before clipping (logged as grad_norm). */
  gradNorm: number;
  lr: number;
  /** The kept tensors' values, flattened, and concatenated in micro-batch order (a share per micro-batch, or its examples' values). */
  kept: Record<string, number[]>;
  /** Whether the optimizer stepped: false when the loss or the gradient norm is not finite. */
  stepped: boolean;
}

export async function optimizerUpdate(
  models: readonly GPT[],
  optimizer: Optimizer,
  lossOf: LossFunctions,
  settings: { lr: number; maxGradNorm: number },
): Promise<UpdateResult> {
  // Forward, loss and gradients of each micro-batch, summed (the kept tensors outlive the gradient's tidy).
  let loss = 0;
  let grads: Record<string, tf.Tensor> = {};
  const kept: Record<string, number[]> = {};
  for (const microLoss of typeof lossOf === 'function' ? [lossOf] : lossOf) {
    let keptTensors: Record<string, tf.Tensor> = {};
    const micro = modelGradients(models, () => {
      const out = microLoss();
      keptTensors = Object.fromEntries(Object.entries(out.kept ?? {}).map(([name, t]) => [name, tf.keep(t)]));
      return out.loss;
    });
    for (const [name, t] of Object.entries(keptTensors)) (kept[name] ??= []).push(...(await t.data()));
    tf.dispose(Object.values(keptTensors));
    loss += micro.loss;
    grads = accumulate(grads, micro.grads);
  }

  // Clip; a non-finite loss or norm takes no step.
  const clipped = clipByGlobalNorm(grads, settings.maxGradNorm);
  const stepped = isFiniteStep(loss, clipped.norm);

  // Optimizer step.
  if (stepped) optimizer.step(namedVariables(models), clipped.grads, settings.lr);
  disposeGradients(clipped.grads);
  return { loss, gradNorm: clipped.norm, lr: settings.lr, kept, stepped };
}

/** sum + more, by name (a name in one only is taken as it is); both inputs are consumed. */
function accumulate(sum: Record<string, tf.Tensor>, more: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  const out = { ...sum };
  for (const [name, g] of Object.entries(more)) {
    const before = out[name];
    out[name] = before ? tf.add(before, g) : g;
    if (before) tf.dispose([before, g]);
  }
  return out;
}
