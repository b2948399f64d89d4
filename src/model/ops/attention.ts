/**
 * Scaled dot-product attention, softmax(scale q k^T + bias) v, per batch row and head, on
 * heads-last tensors (B, T, H, D) as the projections produce them. One fused kernel forward
 * and one backward (which recomputes the softmax weights rather than keeping them) where
 * the backend has them; the composed ops, with the transposes, elsewhere. No dropout on
 * the weights: callers that need it use composedAttention's pieces themselves.
 */
import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS, hasFusedKernel, runFused } from '../../backend/kernelNames.ts';

/** q (B, T, H, D), key and value (B, Tk, H, D), bias (B|1, 1, T, Tk) -> (B, T, H, D). */
export function scaledDotProductAttention(q: tf.Tensor4D, key: tf.Tensor4D, value: tf.Tensor4D, bias: tf.Tensor4D, scale: number): tf.Tensor4D {
  const [B, T, H, D] = q.shape, Tk = key.shape[1];
  const fits = [q, key, value, bias].every((t) => t.dtype === 'float32' && t.rank === 4)
    && key.shape.join() === [B, Tk, H, D].join() && value.shape.join() === key.shape.join()
    && (bias.shape[0] === B || bias.shape[0] === 1) && bias.shape[1] === 1 && bias.shape[2] === T && bias.shape[3] === Tk;
  if (!hasFusedKernel(FUSED_KERNELS.attention) || !fits) return composedAttention(q, key, value, bias, scale);
  return runFused(FUSED_KERNELS.attention, { q, key, value, bias }, { scale });
}

/** The softmax weights (B, H, T, Tk) = softmax(scale q k^T + bias), from heads-last q and key. */
export function attentionWeights(q: tf.Tensor4D, key: tf.Tensor4D, bias: tf.Tensor4D, scale: number): tf.Tensor4D {
  const headsFirst = (t: tf.Tensor4D) => t.transpose([0, 2, 1, 3]); // (B, H, T, D)
  return tf.softmax(tf.matMul(headsFirst(q).mul(scale), headsFirst(key), false, true).add(bias)) as tf.Tensor4D;
}

/** weights (B, H, T, Tk) applied to heads-last values (B, Tk, H, D) -> (B, T, H, D). */
export function applyAttention(weights: tf.Tensor4D, value: tf.Tensor4D): tf.Tensor4D {
  return tf.matMul(weights, value.transpose([0, 2, 1, 3])).transpose([0, 2, 1, 3]) as tf.Tensor4D;
}

export function composedAttention(q: tf.Tensor4D, key: tf.Tensor4D, value: tf.Tensor4D, bias: tf.Tensor4D, scale: number): tf.Tensor4D {
  return applyAttention(attentionWeights(q, key, bias, scale), value);
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
