/**
 * The causal language-modelling loss of a batch of examples: the next-token
 * cross-entropy over the target tokens (prompt and padding masked out).
 */
import * as tf from '@tensorflow/tfjs';
import { tokenLogProbs, type ForwardOptions, type GPT } from '../model/index.ts';
import type { ExampleBatch } from './examples.ts';

/**
 * -sum_{b,t} m_{b,t} log p(ids_{b,t+1} | ids_{b,<=t}), a scalar: the summed negative
 * log-likelihood of the batch's targets (m = lossMask, (B, T-1)). Divide by
 * `batch.targets` for the mean per token.
 */
export function summedNegativeLogLikelihood(model: GPT, batch: ExampleBatch, options: Omit<ForwardOptions, 'attentionMask'> = {}): tf.Scalar {
  return tf.tidy(() => {
    // Right padding needs no attention mask: causal attention never looks right.
    const logps = tokenLogProbs(model, { ids: batch.ids }, options); // (B, T-1)
    return tf.neg(tf.sum(tf.mul(logps, batch.lossMask))) as tf.Scalar;
  });
}

/** The mean next-token cross-entropy per target token (nats), the SFT training loss. */
export function languageModelLoss(model: GPT, batch: ExampleBatch, options: Omit<ForwardOptions, 'attentionMask'> = {}): tf.Scalar {
  return tf.tidy(() => summedNegativeLogLikelihood(model, batch, options).div(Math.max(1, batch.targets)) as tf.Scalar);
}
