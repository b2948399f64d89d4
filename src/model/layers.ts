/**
 * The GPT-2 building blocks as pure functions on tensors (call them inside tf.tidy).
 */
import * as tf from '@tensorflow/tfjs';

/**
 * LayerNorm over the last axis, (x - mean) / sqrt(var + eps) * gain + bias, and GELU, tanh
 * approximation, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))): fused kernels where the
 * backend has them (see src/backend/fused/).
 */
export { layerNorm } from './ops/layerNorm.ts';
export { gelu } from './ops/gelu.ts';

/** GPT-2's Conv1D, a dense layer with the weight stored [in, out]: x (N, in) @ W + b -> (N, out), as one fused kernel. */
export function conv1d(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: weight as tf.Tensor2D, bias }) as tf.Tensor2D;
}

/**
 * The additive attention bias (B, 1, T, Tk): 0 where query t may attend to key j, a large
 * negative number elsewhere. The T queries are the last T of the Tk positions (earlier
 * ones are cached), so query t sees keys j <= Tk - T + t; `keyMask` (B, Tk), 1 for real
 * tokens and 0 for padding, hides padded keys.
 */
export function attentionBias(T: number, Tk: number, keyMask: tf.Tensor2D | undefined): tf.Tensor4D {
  const causal = new Float32Array(T * Tk);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j <= Tk - T + t; j++) causal[t * Tk + j] = 1;
  }
  let allowed: tf.Tensor = tf.tensor4d(causal, [1, 1, T, Tk]);
  if (keyMask) {
    const [B] = keyMask.shape;
    allowed = allowed.mul(keyMask.toFloat().reshape([B, 1, 1, Tk]));
  }
  return allowed.sub(1).mul(1e9) as tf.Tensor4D;
}

/** Dropout with a mask drawn from `seed` (the caller draws a fresh seed per call). */
export function dropout(x: tf.Tensor, rate: number, seed: number | undefined): tf.Tensor {
  if (rate <= 0 || seed === undefined) return x;
  return tf.dropout(x, rate, undefined, seed);
}
