/**
 * The gradients of a scalar loss with respect to a model's trainable parameters, keyed
 * by the parameters' Hugging Face names (tf.variableGrads keys them by TensorFlow.js's
 * own variable names).
 */
import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/index.ts';

export function modelGradients(models: GPT[], loss: () => tf.Scalar): { loss: number; grads: Record<string, tf.Tensor> } {
  const names = new Map<string, string>(); // tf variable name -> our name
  const variables: tf.Variable[] = [];
  models.forEach((model, i) => {
    for (const [name, variable] of model.params) {
      if (!variable.trainable) continue;
      names.set(variable.name, models.length === 1 ? name : `${i}:${name}`);
      variables.push(variable);
    }
  });
  const { value, grads } = tf.variableGrads(loss, variables);
  const byName: Record<string, tf.Tensor> = {};
  for (const [tfName, grad] of Object.entries(grads)) byName[names.get(tfName)!] = grad;
  const lossValue = value.dataSync()[0];
  value.dispose();
  return { loss: lossValue, grads: byName };
}

export function disposeGradients(grads: Record<string, tf.Tensor>): void {
  for (const g of Object.values(grads)) g.dispose();
}
