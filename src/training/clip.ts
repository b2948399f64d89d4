/**
 * Gradient clipping by global norm: if ||g|| = sqrt(sum_i ||g_i||^2) exceeds `maxNorm`,
 * every gradient is scaled by maxNorm / ||g||. Returns the norm before clipping (logged as
 * `grad_norm`) and the gradients to apply (new tensors; the inputs are disposed).
 */
import * as tf from '@tensorflow/tfjs';

export function clipByGlobalNorm(
  grads: Record<string, tf.Tensor>,
  maxNorm: number,
): { grads: Record<string, tf.Tensor>; norm: number } {
  const norm = Math.sqrt(
    tf.tidy(() => tf.addN(Object.values(grads).map((g) => g.square().sum())).dataSync()[0]),
  );
  if (!(maxNorm > 0) || norm <= maxNorm || !Number.isFinite(norm)) return { grads, norm };
  const scale = maxNorm / norm;
  const clipped: Record<string, tf.Tensor> = {};
  for (const [name, g] of Object.entries(grads)) {
    clipped[name] = g.mul(scale);
    g.dispose();
  }
  return { grads: clipped, norm };
}
