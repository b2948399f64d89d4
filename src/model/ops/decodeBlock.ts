/**
 * One GPT-2 block for one new token per row, as one kernel (DpoDecodeBlock) where the
 * backend has it: generation's per-token step without the twenty-odd kernels of the
 * composed block. It writes the token's key and value into caches preallocated for the
 * whole context, in place: only for caches that nothing else holds, and never under a
 * gradient tape.
 */
import * as tf from '@tensorflow/tfjs';
import { DECODE_WEIGHTS, FUSED_KERNELS, hasFusedKernel, runFused } from '../../backend/kernelNames.ts';

export { DECODE_WEIGHTS };


export type BlockWeights = Record<(typeof DECODE_WEIGHTS)[number], tf.Tensor>;

export interface DecodeBlockArgs {
  /** (B, C): the new tokens' hidden states entering the block. */
  x: tf.Tensor2D;
  /** (B, capacity, heads, C / heads) each; position `position` is written. */
  keyCache: tf.Tensor4D;
  valueCache: tf.Tensor4D;
  /** (B, capacity) float32: 1 for real tokens, 0 for padding. */
  mask: tf.Tensor2D;
  /** The block's parameters by the names of DECODE_WEIGHTS. */
  weights: BlockWeights;
  position: number;
  heads: number;
  epsilon: number;
}

export function hasFusedDecode(): boolean {
  return hasFusedKernel(FUSED_KERNELS.decodeBlock);
}

/** x (B, C) -> (B, C), after attending to the cached positions 0..position. */
export function decodeBlock(args: DecodeBlockArgs): tf.Tensor2D {
  const { x, keyCache, valueCache, mask, weights, position, heads, epsilon } = args;
  const inputs: tf.NamedTensorMap = { x, keyCache, valueCache, mask, ...weights };
  if (Object.values(inputs).some((t) => t.dtype !== 'float32')) throw new Error('decodeBlock: every input must be float32');
  if (position < 0 || position >= keyCache.shape[1]) throw new Error(`decodeBlock: position ${position} is outside the cache of ${keyCache.shape[1]}`);
  return runFused(FUSED_KERNELS.decodeBlock, inputs, { position, heads, epsilon });
}
