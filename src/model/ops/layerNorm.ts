/**
 * LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * gain + bias. One fused
 * kernel forward and one backward where the backend has them; the composed ops elsewhere.
 */
import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS, hasFusedKernel, runFused } from '../../backend/kernelNames.ts';

/** x (..., C), gain (C), bias (C) -> (..., C). */
export function layerNorm(x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor, epsilon: number): tf.Tensor {
  const C = x.shape[x.rank - 1];
  const fusable = hasFusedKernel(FUSED_KERNELS.layerNorm) && [x, gain, bias].every((t) => t.dtype === 'float32')
    && gain.rank === 1 && bias.rank === 1 && gain.shape[0] === C && bias.shape[0] === C;
  if (!fusable) return composedLayerNorm(x, gain, bias, epsilon);
  return runFused(FUSED_KERNELS.layerNorm, { x, gain, bias }, { epsilon });
}

export function composedLayerNorm(x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor, epsilon: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).mul(tf.rsqrt(variance.add(epsilon))).mul(gain).add(bias);
}

tf.registerGradient({
  kernelName: FUSED_KERNELS.layerNorm,
  inputsToSave: ['x', 'gain'],
  gradFunc: (dy, saved, attrs) => {
    const [x, gain] = saved;
    // One backward kernel gives all three; each closure hands back its own.
    const [dx, dgain, dbias] = runFused<tf.Tensor[]>(FUSED_KERNELS.layerNormGrad, { dy: dy as tf.Tensor, x, gain }, attrs as tf.NamedAttrMap);
    return { x: () => dx, gain: () => dgain, bias: () => dbias };
  },
});
