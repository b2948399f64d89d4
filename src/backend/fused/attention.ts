/**
 * Scaled dot-product attention, softmax(scale q k^T + bias) v, per batch row and head. One
 * fused kernel forward and one backward (which recomputes the softmax weights rather than
 * keeping them) where the backend has them; the composed ops elsewhere. No dropout on the
 * weights: callers that need it compose the ops themselves.
 */
import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS, hasFusedKernel, runFused } from './kernelNames.ts';

/** q (B, H, T, D), key and value (B, H, Tk, D), bias (B|1, 1, T, Tk) -> (B, H, T, D). */
export function scaledDotProductAttention(q: tf.Tensor4D, key: tf.Tensor4D, value: tf.Tensor4D, bias: tf.Tensor4D, scale: number): tf.Tensor4D {
  const [B, H, T, D] = q.shape, Tk = key.shape[2];
  const fits = [q, key, value, bias].every((t) => t.dtype === 'float32' && t.rank === 4)
    && key.shape.join() === [B, H, Tk, D].join() && value.shape.join() === key.shape.join()
    && (bias.shape[0] === B || bias.shape[0] === 1) && bias.shape[1] === 1 && bias.shape[2] === T && bias.shape[3] === Tk;
  if (!hasFusedKernel(FUSED_KERNELS.attention) || !fits) return composedAttention(q, key, value, bias, scale);
  return runFused(FUSED_KERNELS.attention, { q, key, value, bias }, { scale });
}

export function composedAttention(q: tf.Tensor4D, key: tf.Tensor4D, value: tf.Tensor4D, bias: tf.Tensor4D, scale: number): tf.Tensor4D {
  const weights = tf.softmax(tf.matMul(q.mul(scale), key, false, true).add(bias)); // (B, H, T, Tk)
  return tf.matMul(weights, value) as tf.Tensor4D;
}

tf.registerGradient({
  kernelName: FUSED_KERNELS.attention,
  inputsToSave: ['q', 'key', 'value', 'bias'],
  gradFunc: (dy, saved, attrs) => {
    const [q, key, value, bias] = saved;
    const [dq, dkey, dvalue] = runFused<tf.Tensor[]>(FUSED_KERNELS.attentionGrad, { dy: dy as tf.Tensor, q, key, value, bias }, attrs as tf.NamedAttrMap);
    return { q: () => dq, key: () => dkey, value: () => dvalue, bias: () => tf.zerosLike(bias) };
  },
});
