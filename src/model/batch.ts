/**
 * Builds a right-padded batch of prompt + response token sequences.
 */
import * as tf from '@tensorflow/tfjs';
import type { SequenceBatch } from './logprobs.ts';

/**
 * Row i is prompts[i] followed by responses[i], padded on the right with `pad` to the
 * longest row. ids (B, T) int32; responseMask (B, T) 1 on response tokens;
 * attentionMask (B, T) 1 on prompt and response tokens. Every prompt needs at least one
 * token, so that the first response token has a context.
 */
export function buildBatch(prompts: number[][], responses: number[][], pad: number): Required<SequenceBatch> {
  if (prompts.length !== responses.length) {
    throw new Error(`buildBatch: ${prompts.length} prompts but ${responses.length} responses`);
  }
  if (prompts.length === 0) throw new Error('buildBatch: empty batch');
  const B = prompts.length;
  const T = Math.max(...prompts.map((p, i) => p.length + responses[i].length));
  const ids = new Int32Array(B * T).fill(pad);
  const responseMask = new Float32Array(B * T);
  const attentionMask = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    const prompt = prompts[b];
    const response = responses[b];
    if (prompt.length === 0) throw new Error(`buildBatch: prompt ${b} is empty; start it with a bos token`);
    ids.set(prompt, b * T);
    ids.set(response, b * T + prompt.length);
    responseMask.fill(1, b * T + prompt.length, b * T + prompt.length + response.length);
    attentionMask.fill(1, b * T, b * T + prompt.length + response.length);
  }
  return {
    ids: tf.tensor2d(ids, [B, T], 'int32'),
    responseMask: tf.tensor2d(responseMask, [B, T]),
    attentionMask: tf.tensor2d(attentionMask, [B, T]),
  };
}
