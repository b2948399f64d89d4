/**
 * GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). One fused
 * kernel forward and one backward where the backend has them; the composed ops elsewhere.
 */
import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS, hasFusedKernel, runFused } from '../../backend/kernelNames.ts';

export function gelu(x: tf.Tensor): tf.Tensor {
  if (!hasFusedKernel(FUSED_KERNELS.gelu) || x.dtype !== 'float32') return composedGelu(x);
  return runFused(FUSED_KERNELS.gelu, { x });
}

export function composedGelu(x: tf.Tensor): tf.Tensor {
  const cube = x.mul(x).mul(x); // not tf.pow: slow on wasm
  const inner = x.add(cube.mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
  return x.mul(tf.tanh(inner).add(1)).mul(0.5);
}

tf.registerGradient({
  kernelName: FUSED_KERNELS.gelu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => ({ x: () => runFused<tf.Tensor>(FUSED_KERNELS.geluGrad, { dy: dy as tf.Tensor, x: saved[0] }) }),
});
