/**
 * Generation's per-token steps through one fused kernel per layer (see
 * src/model/ops/decodeBlock.ts), where the backend has it. The keys and values of the
 * prompt pass are copied once into caches that hold the whole context; each step then
 * writes one position into them instead of concatenating a new cache.
 */
import * as tf from '@tensorflow/tfjs';
import { DECODE_WEIGHTS, decodeBlock, hasFusedDecode, type BlockWeights } from './ops/decodeBlock.ts';
import { layerNorm } from './ops/layerNorm.ts';
import type { LayerCache } from './forward.ts';
import { param, type GPT } from './gpt.ts';

/** Whether generate() can take this path for the model on the current backend (GPT-2 only: the kernel is a GPT-2 block). */
export function canDecodeFused(model: GPT): boolean {
  return model.config.llama === undefined && model.config.neox === undefined && model.config.gptj === undefined && hasFusedDecode() && [...model.params.values()].every((p) => p.dtype === 'float32');
}

export class FusedDecoder {
  private readonly keys: tf.Tensor4D[];
  private readonly values: tf.Tensor4D[];
  /** Each layer's block parameters, looked up once. */
  private readonly blocks: BlockWeights[];

  /** present: the prompt pass's caches, (B, P, nHead, headSize) per layer. */
  constructor(private readonly model: GPT, present: LayerCache[]) {
    const capacity = model.config.contextLength;
    const grow = (t: tf.Tensor4D) => tf.pad(t, [[0, 0], [0, capacity - t.shape[1]], [0, 0], [0, 0]]) as tf.Tensor4D; // (B, capacity, nH, hs)
    this.keys = present.map((c) => grow(c.key));
    this.values = present.map((c) => grow(c.value));
    this.blocks = present.map((_, i) =>
      Object.fromEntries(DECODE_WEIGHTS.map((name) => [name, param(model, `transformer.h.${i}.${name}`)])) as unknown as BlockWeights);
  }

  /**
   * Logits (B, V) of the token after each row's token at sequence index `position`.
   * tokens (B) and positionIds (B) of the new tokens; mask (B, position + 1), 1 for real tokens.
   */
  step(tokens: number[], positionIds: number[], mask: number[][], position: number, wteT: tf.Tensor2D): tf.Tensor2D {
    const { config } = this.model;
    const B = tokens.length, capacity = config.contextLength;
    return tf.tidy(() => {
      const ids = tf.tensor1d(tokens, 'int32');
      const positions = tf.tensor1d(positionIds, 'int32');
      const padded = new Float32Array(B * capacity);
      mask.forEach((row, b) => padded.set(row, b * capacity));
      const maskTensor = tf.tensor2d(padded, [B, capacity]);
      let x = tf.gather(param(this.model, 'transformer.wte.weight'), ids).add(tf.gather(param(this.model, 'transformer.wpe.weight'), positions)) as tf.Tensor2D; // (B, C)
      for (let i = 0; i < config.nLayer; i++) {
        x = decodeBlock({ x, keyCache: this.keys[i], valueCache: this.values[i], mask: maskTensor, weights: this.blocks[i], position, heads: config.nHead, epsilon: config.layerNormEpsilon });
      }
      const out = layerNorm(x, param(this.model, 'transformer.ln_f.weight'), param(this.model, 'transformer.ln_f.bias'), config.layerNormEpsilon);
      return tf.matMul(out as tf.Tensor2D, wteT); // (B, V)
    });
  }

  dispose(): void {
    tf.dispose([...this.keys, ...this.values]);
  }
}
