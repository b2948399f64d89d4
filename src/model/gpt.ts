/**
 * The GPT model as data: its configuration and its parameters, one tf.Variable per
 * Hugging Face GPT-2 tensor, under the same names and in the same layouts:
 *
 *   transformer.wte.weight              (V, C)     token embedding, tied to the output head
 *   transformer.wpe.weight              (N, C)     learned position embedding
 *   transformer.h.{i}.ln_1.weight/bias  (C)
 *   transformer.h.{i}.attn.c_attn.weight/bias  (C, 3C) / (3C)   Conv1D: y = x @ W + b
 *   transformer.h.{i}.attn.c_proj.weight/bias  (C, C) / (C)
 *   transformer.h.{i}.ln_2.weight/bias  (C)
 *   transformer.h.{i}.mlp.c_fc.weight/bias     (C, 4C) / (4C)
 *   transformer.h.{i}.mlp.c_proj.weight/bias   (4C, C) / (C)
 *   transformer.ln_f.weight/bias        (C)
 *   score.weight                        (1, C)     scalar head (GPT2ForSequenceClassification), optional
 *
 * A Llama model (config.llama) has Hugging Face's Llama names instead (llamaParams.ts), a
 * GPT-NeoX model (config.neox) GPT-NeoX's (neoxParams.ts), a GPT-J model (config.gptj)
 * GPT-J's (gptjParams.ts). The forward pass is in forward.ts (llamaForward.ts,
 * neoxForward.ts, gptjForward.ts); checkpoints in checkpoint.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { Random } from '../core/random.ts';
import type { GPTConfig } from './config.ts';
import { isLlamaNorm, LLAMA_EMBEDDING, LLAMA_LM_HEAD, llamaParameterShapes } from './llamaParams.ts';
import { isNeoxNorm, NEOX_EMBEDDING, NEOX_LM_HEAD, neoxParameterShapes } from './neoxParams.ts';
import { GPTJ_EMBEDDING, GPTJ_LM_HEAD, GPTJ_LM_HEAD_BIAS, gptjParameterShapes } from './gptjParams.ts';

export interface GPT {
  readonly config: GPTConfig;
  /** Parameters by Hugging Face name, in the order of `parameterShapes`. */
  readonly params: Map<string, tf.Variable>;
  /** Whether `score.weight` (a scalar head for reward and value models) is present. */
  readonly scalarHead: boolean;
}

export const SCORE_WEIGHT = 'score.weight';

/** The name and shape of every parameter, in a fixed order. */
export function parameterShapes(config: GPTConfig, scalarHead: boolean): Map<string, number[]> {
  if (config.llama) {
    const shapes = llamaParameterShapes(config, config.llama);
    return scalarHead ? shapes.set(SCORE_WEIGHT, [1, config.nEmbd]) : shapes;
  }
  if (config.neox) {
    const shapes = neoxParameterShapes(config, config.neox);
    return scalarHead ? shapes.set(SCORE_WEIGHT, [1, config.nEmbd]) : shapes;
  }
  if (config.gptj) {
    const shapes = gptjParameterShapes(config, config.gptj);
    return scalarHead ? shapes.set(SCORE_WEIGHT, [1, config.nEmbd]) : shapes;
  }
  const { vocabSize: V, contextLength: N, nEmbd: C, nLayer } = config;
  const shapes = new Map<string, number[]>([
    ['transformer.wte.weight', [V, C]],
    ['transformer.wpe.weight', [N, C]],
  ]);
  for (let i = 0; i < nLayer; i++) {
    const h = `transformer.h.${i}`;
    shapes.set(`${h}.ln_1.weight`, [C]).set(`${h}.ln_1.bias`, [C]);
    shapes.set(`${h}.attn.c_attn.weight`, [C, 3 * C]).set(`${h}.attn.c_attn.bias`, [3 * C]);
    shapes.set(`${h}.attn.c_proj.weight`, [C, C]).set(`${h}.attn.c_proj.bias`, [C]);
    shapes.set(`${h}.ln_2.weight`, [C]).set(`${h}.ln_2.bias`, [C]);
    shapes.set(`${h}.mlp.c_fc.weight`, [C, 4 * C]).set(`${h}.mlp.c_fc.bias`, [4 * C]);
    shapes.set(`${h}.mlp.c_proj.weight`, [4 * C, C]).set(`${h}.mlp.c_proj.bias`, [C]);
  }
  shapes.set('transformer.ln_f.weight', [C]).set('transformer.ln_f.bias', [C]);
  if (scalarHead) shapes.set(SCORE_WEIGHT, [1, C]);
  return shapes;
}

/**
 * GPT-2's initialisation of one parameter: weights and embeddings normal(0, 0.02),
 * the residual projections (`c_proj`) normal(0, 0.02 / sqrt(2 nLayer)), biases 0,
 * LayerNorm gains 1.
 */
export function initialValues(name: string, size: number, config: GPTConfig, random: Random): Float32Array {
  const values = new Float32Array(size);
  if (config.llama && isLlamaNorm(name)) return values.fill(1);
  if (config.neox && isNeoxNorm(name)) return values.fill(1);
  if (/\.ln_\w+\.weight$/.test(name)) return values.fill(1);
  if (name.endsWith('.bias')) return values;
  const std = name.endsWith('c_proj.weight') ? 0.02 / Math.sqrt(2 * config.nLayer) : 0.02;
  for (let i = 0; i < size; i++) values[i] = std * random.normal();
  return values;
}

/** A new model with GPT-2's initialisation, reproducible from `seed`. */
export function createModel(config: GPTConfig, options: { seed: number; scalarHead?: boolean; trainable?: boolean }): GPT {
  const random = new Random(options.seed);
  const scalarHead = options.scalarHead ?? false;
  const values = new Map<string, Float32Array>();
  for (const [name, shape] of parameterShapes(config, scalarHead)) {
    values.set(name, initialValues(name, sizeOf(shape), config, random));
  }
  return modelFromValues(config, values, { scalarHead, trainable: options.trainable ?? true });
}

/** A model whose parameters are `values` (by name, every parameter present, shapes as `parameterShapes`). */
export function modelFromValues(
  config: GPTConfig,
  values: Map<string, Float32Array>,
  options: { scalarHead: boolean; trainable: boolean },
): GPT {
  const params = new Map<string, tf.Variable>();
  for (const [name, shape] of parameterShapes(config, options.scalarHead)) {
    const data = values.get(name);
    if (!data || data.length !== sizeOf(shape)) throw new Error(`parameter ${name}: expected ${sizeOf(shape)} values for shape [${shape}]`);
    params.set(name, newVariable(data, shape, options.trainable));
  }
  return { config, params, scalarHead: options.scalarHead };
}

/**
 * A model whose parameters `read` supplies one at a time, each turned into its variable
 * before the next is read, so that the values never all sit in memory twice (loading).
 */
export async function modelFromReads(
  config: GPTConfig,
  read: (name: string) => Promise<Float32Array>,
  options: { scalarHead: boolean; trainable: boolean },
): Promise<GPT> {
  const params = new Map<string, tf.Variable>();
  try {
    for (const [name, shape] of parameterShapes(config, options.scalarHead)) {
      const data = await read(name);
      if (data.length !== sizeOf(shape)) throw new Error(`parameter ${name}: expected ${sizeOf(shape)} values for shape [${shape}]`);
      params.set(name, newVariable(data, shape, options.trainable));
    }
  } catch (error) {
    for (const variable of params.values()) variable.dispose();
    throw error;
  }
  return { config, params, scalarHead: options.scalarHead };
}

/**
 * The same model with a freshly initialised scalar head (`score.weight`, normal(0, 0.02)
 * from `seed`), for a reward or value model started from a language model. The result
 * takes over `model`'s variables: dispose only the result.
 */
export function withScalarHead(model: GPT, seed: number): GPT {
  if (model.scalarHead) return model;
  const C = model.config.nEmbd;
  const trainable = embedding(model).trainable;
  const score = initialValues(SCORE_WEIGHT, C, model.config, new Random(seed));
  const params = new Map(model.params);
  params.set(SCORE_WEIGHT, newVariable(score, [1, C], trainable));
  return { config: model.config, params, scalarHead: true };
}

/** An independent copy (for a frozen reference model, pass trainable: false). */
export function cloneModel(model: GPT, options: { trainable: boolean }): GPT {
  const params = new Map<string, tf.Variable>();
  for (const [name, variable] of model.params) params.set(name, tf.variable(variable, options.trainable));
  return { config: model.config, params, scalarHead: model.scalarHead };
}

/** Copies `source`'s parameter values into `target` (same configuration). */
export function copyWeights(target: GPT, source: GPT): void {
  for (const [name, variable] of target.params) {
    const from = source.params.get(name);
    if (!from) throw new Error(`copyWeights: the source model has no parameter ${name}`);
    variable.assign(from);
  }
}

/** The trainable variables, for an optimizer. */
export function trainableVariables(model: GPT): tf.Variable[] {
  return [...model.params.values()].filter((v) => v.trainable);
}

export function parameterCount(model: GPT): number {
  let count = 0;
  for (const variable of model.params.values()) count += variable.size;
  return count;
}

export function disposeModel(model: GPT): void {
  for (const variable of model.params.values()) variable.dispose();
}

/** The token embedding (V, C). */
export function embedding(model: GPT): tf.Variable {
  return param(model, model.config.llama ? LLAMA_EMBEDDING : model.config.neox ? NEOX_EMBEDDING : model.config.gptj ? GPTJ_EMBEDDING : 'transformer.wte.weight');
}

/** The output head's weight (V, C): the token embedding when tied (always for GPT-2), else Llama's lm_head.weight, GPT-NeoX's embed_out.weight or GPT-J's lm_head.weight. */
export function outputWeight(model: GPT): tf.Variable {
  if (model.config.neox) return param(model, NEOX_LM_HEAD);
  if (model.config.gptj) return param(model, GPTJ_LM_HEAD);
  return model.config.llama && !model.config.llama.tieWordEmbeddings ? param(model, LLAMA_LM_HEAD) : embedding(model);
}

/** The output head's bias (V): GPT-J's lm_head.bias; the other families' heads have none. */
export function outputBias(model: GPT): tf.Variable | undefined {
  return model.config.gptj ? param(model, GPTJ_LM_HEAD_BIAS) : undefined;
}

/** A parameter by name; a missing one is a programming error. */
export function param(model: GPT, name: string): tf.Variable {
  const variable = model.params.get(name);
  if (!variable) throw new Error(`the model has no parameter ${name}`);
  return variable;
}

function newVariable(values: Float32Array, shape: number[], trainable: boolean): tf.Variable {
  const initial = tf.tensor(values, shape, 'float32');
  const variable = tf.variable(initial, trainable);
  initial.dispose(); // the variable holds its own reference to the data
  return variable;
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
