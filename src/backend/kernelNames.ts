/**
 * The fused kernels dpo-run adds to TensorFlow.js: one kernel where the composed ops of a
 * LayerNorm, a GELU, scaled dot-product attention, a softmax's target log-probabilities or
 * an optimizer update take five to twenty. A backend that registers them (the native kernels on wasm) runs them; on any
 * other backend the ops in this folder compose the same formula from standard ops.
 */
import * as tf from '@tensorflow/tfjs';

export const FUSED_KERNELS = {
  layerNorm: 'DpoLayerNorm',
  layerNormGrad: 'DpoLayerNormGrad',
  gelu: 'DpoGelu',
  geluGrad: 'DpoGeluGrad',
  targetLogProbs: 'DpoTargetLogProbs',
  targetLogProbsGrad: 'DpoTargetLogProbsGrad',
  adam: 'DpoAdamUpdate',
  rmsprop: 'DpoRmspropUpdate',
  attention: 'DpoAttention',
  attentionGrad: 'DpoAttentionGrad',
  decodeBlock: 'DpoDecodeBlock',
  sampleTokens: 'DpoSampleTokens',
} as const;

export type FusedKernelName = (typeof FUSED_KERNELS)[keyof typeof FUSED_KERNELS];

/** Whether the current backend has the fused kernel `name`. */
export function hasFusedKernel(name: FusedKernelName): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** Runs a fused kernel through the engine (so gradients and memory tracking apply). */
export function runFused<T extends tf.Tensor | tf.Tensor[]>(name: FusedKernelName, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): T {
  return tf.engine().runKernel(name, inputs, attrs) as unknown as T;
}

/** The block's parameters, in the order the kernel takes them (names under transformer.h.<i>.). */
export const DECODE_WEIGHTS = [
  'ln_1.weight', 'ln_1.bias', 'attn.c_attn.weight', 'attn.c_attn.bias', 'attn.c_proj.weight', 'attn.c_proj.bias',
  'ln_2.weight', 'ln_2.bias', 'mlp.c_fc.weight', 'mlp.c_fc.bias', 'mlp.c_proj.weight', 'mlp.c_proj.bias',
] as const;
