/**
 * The gradients of a scalar loss with respect to models' trainable parameters, keyed by
 * the parameters' Hugging Face names (`0:name`, `1:name` when there are two models;
 * tf.variableGrads keys them by TensorFlow.js's own variable names).
 */
import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/index.ts';

/** The trainable variables of `models` under the names their gradients get. */
export function namedVariables(models: readonly GPT[]): Map<string, tf.Variable> {
  const variables = new Map<string, tf.Variable>();
  models.forEach((model, i) => {
    for (const [name, variable] of model.params) if (variable.trainable) variables.set(models.length === 1 ? name : `${i}:${name}`, variable);
  });
  return variables;
}

export function modelGradients(models: readonly GPT[], loss: () => tf.Scalar): { loss: number; grads: Record<string, tf.Tensor> } {
  const named = namedVariables(models);
  const names = new Map([...named].map(([name, variable]) => [variable.name, name])); // tf variable name -> our name
  const { value, grads } = tf.variableGrads(loss, [...named.values()]);
  const byName: Record<string, tf.Tensor> = {};
  for (const [tfName, grad] of Object.entries(grads)) byName[names.get(tfName)!] = grad;
  const lossValue = value.dataSync()[0];
  value.dispose();
  return { loss: lossValue, grads: byName };
}

export function disposeGradients(grads: Record<string, tf.Tensor>): void {
  for (const g of Object.values(grads)) g.dispose();
}
