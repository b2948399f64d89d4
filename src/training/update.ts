/**
 * One optimizer update: the loss and its gradients with respect to the models' trainable
 * parameters, clipped by global norm, then the optimizer's step, taken only when the loss
 * and the gradient norm are finite (the training loop stops the stage when they are not,
 * nonFinite.ts). Tensors the loss function keeps (a batch's metrics or scores) are read
 * back as numbers.
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

export interface UpdateResult {
  loss: number;
  /** The global gradient norm before clipping (logged as grad_norm). */
  gradNorm: number;
  lr: number;
  /** The kept tensors' values, flattened. */
  kept: Record<string, number[]>;
  /** Whether the optimizer stepped: false when the loss or the gradient norm is not finite. */
  stepped: boolean;
}

export async function optimizerUpdate(
  models: readonly GPT[],
  optimizer: Optimizer,
  lossOf: () => LossOutput,
  settings: { lr: number; maxGradNorm: number },
): Promise<UpdateResult> {
  // Forward, loss and gradients (the kept tensors outlive the gradient's tidy).
  let keptTensors: Record<string, tf.Tensor> = {};
  const { loss, grads } = modelGradients(models, () => {
    const out = lossOf();
    keptTensors = Object.fromEntries(Object.entries(out.kept ?? {}).map(([name, t]) => [name, tf.keep(t)]));
    return out.loss;
  });
  const kept: Record<string, number[]> = {};
  for (const [name, t] of Object.entries(keptTensors)) kept[name] = Array.from(await t.data());
  tf.dispose(Object.values(keptTensors));

  // Clip; a non-finite loss or norm takes no step.
  const clipped = clipByGlobalNorm(grads, settings.maxGradNorm);
  const stepped = isFiniteStep(loss, clipped.norm);

  // Optimizer step.
  if (stepped) optimizer.step(namedVariables(models), clipped.grads, settings.lr);
  disposeGradients(clipped.grads);
  return { loss, gradNorm: clipped.norm, lr: settings.lr, kept, stepped };
}
