/**
 * Supervised fine-tuning (and Preferred-FT, which is SFT on y_w only): the masked mean
 * next-token cross-entropy.
 */
import * as tf from '@tensorflow/tfjs';
import { maskedMean } from './masked.ts';
import { tokenLogProbs } from './tokenLogProbs.ts';

/**
 * -sum_{b,t} m_{b,t} log p(targets_{b,t}) / sum_{b,t} m_{b,t}, a scalar.
 * logits (B, T, V) predict targets (B, T) int32 (the inputs shifted by one);
 * mask (B, T) is 1 on the tokens that count (response tokens; not prompt or padding).
 */
export function sftLoss(logits: tf.Tensor3D, targets: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(maskedMean(tokenLogProbs(logits, targets), mask)) as tf.Scalar);
}
