/**
 * log softmax(logits)[target] per row, the log-probability of each target token:
 * logits (N, V), targets (N,) int32 -> (N,). Its gradient with respect to the logits is
 * dy * (onehot(target) - softmax(logits)). One fused kernel each way where the backend has
 * them (no (N, V) softmax or one-hot is ever materialised forward); composed ops elsewhere.
 */
import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS, hasFusedKernel, runFused } from '../../backend/kernelNames.ts';

export function targetLogProbs(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const fusable = hasFusedKernel(FUSED_KERNELS.targetLogProbs) && logits.dtype === 'float32' && targets.dtype === 'int32'
    && logits.rank === 2 && targets.rank === 1 && targets.shape[0] === logits.shape[0];
  if (!fusable) return composedTargetLogProbs(logits, targets);
  return runFused(FUSED_KERNELS.targetLogProbs, { logits, targets });
}

/** The same from standard ops, with an explicit gradient (tf.logSumExp's own is costly). */
export function composedTargetLogProbs(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const [N, V] = logits.shape;
  // Tensors the gradient needs must be inputs or saved: TensorFlow.js disposes the forward
  // pass's other tensors (closures included) before the backward pass runs.
  const op = tf.customGrad(((x: tf.Tensor, ids: tf.Tensor, save: tf.GradSaveFunc) => {
    const rows = x as tf.Tensor2D;
    const max = rows.max(1, true); // (N, 1), for stability
    const logSumExp = tf.log(tf.exp(rows.sub(max)).sum(1, true)).add(max); // (N, 1)
    const flatIndex = ids.add(tf.range(0, N * V, V, 'int32')); // row * V + target
    const picked = tf.gather(rows.reshape([N * V]), flatIndex); // (N,)
    save([rows, logSumExp, ids]);
    return {
      value: picked.sub(logSumExp.reshape([N])),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedRows, savedLogSumExp, savedIds] = saved;
        const softmax = tf.exp(savedRows.sub(savedLogSumExp)); // (N, V)
        const dLogits = tf.oneHot(savedIds as tf.Tensor1D, V).sub(softmax).mul(dy.reshape([N, 1]));
        return [dLogits, tf.zeros(savedIds.shape)]; // the ids get no gradient
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(logits, targets) as tf.Tensor1D;
}

tf.registerGradient({
  kernelName: FUSED_KERNELS.targetLogProbs,
  inputsToSave: ['logits', 'targets'],
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [logits, targets, logp] = saved;
    return {
      logits: () => runFused<tf.Tensor>(FUSED_KERNELS.targetLogProbsGrad, { dy: dy as tf.Tensor, logits, targets, logp }),
      targets: () => tf.zerosLike(targets), // the ids get no gradient
    };
  },
});
