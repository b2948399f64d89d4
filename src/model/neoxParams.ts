/**
 * The GPT-NeoX model's parameters (Pythia), under Hugging Face's names and in its layouts
 * (Linear weights are [out, in], with biases; D = nEmbd / nHead, F = intermediateSize):
 *
 *   gpt_neox.embed_in.weight                                  (V, C)
 *   gpt_neox.layers.{i}.input_layernorm.weight/bias           (C)       LayerNorm
 *   gpt_neox.layers.{i}.attention.query_key_value.weight/bias (3C, C) / (3C)
 *       fused, interleaved per head: row h 3D + s D + d is head h's query (s 0), key (s 1)
 *       or value (s 2) dimension d, the weight read as [nHead, 3, D, C]
 *   gpt_neox.layers.{i}.attention.dense.weight/bias           (C, C) / (C)
 *   gpt_neox.layers.{i}.post_attention_layernorm.weight/bias  (C)
 *   gpt_neox.layers.{i}.mlp.dense_h_to_4h.weight/bias         (F, C) / (F)   GELU MLP
 *   gpt_neox.layers.{i}.mlp.dense_4h_to_h.weight/bias         (C, F) / (C)
 *   gpt_neox.final_layer_norm.weight/bias                     (C)
 *   embed_out.weight                                          (V, C)    the output head, never tied
 *
 * The forward pass is in neoxForward.ts.
 */
import type { GPTConfig, NeoxConfig } from './config.ts';

export const NEOX_EMBEDDING = 'gpt_neox.embed_in.weight';
export const NEOX_LM_HEAD = 'embed_out.weight';

/** The name and shape of every GPT-NeoX parameter (without the scalar head), in a fixed order. */
export function neoxParameterShapes(config: GPTConfig, neox: NeoxConfig): Map<string, number[]> {
  const { vocabSize: V, nEmbd: C, nLayer } = config;
  const F = neox.intermediateSize;
  const shapes = new Map<string, number[]>([[NEOX_EMBEDDING, [V, C]]]);
  for (let i = 0; i < nLayer; i++) {
    const l = `gpt_neox.layers.${i}`;
    shapes.set(`${l}.input_layernorm.weight`, [C]).set(`${l}.input_layernorm.bias`, [C]);
    shapes.set(`${l}.post_attention_layernorm.weight`, [C]).set(`${l}.post_attention_layernorm.bias`, [C]);
    shapes.set(`${l}.attention.query_key_value.weight`, [3 * C, C]).set(`${l}.attention.query_key_value.bias`, [3 * C]);
    shapes.set(`${l}.attention.dense.weight`, [C, C]).set(`${l}.attention.dense.bias`, [C]);
    shapes.set(`${l}.mlp.dense_h_to_4h.weight`, [F, C]).set(`${l}.mlp.dense_h_to_4h.bias`, [F]);
    shapes.set(`${l}.mlp.dense_4h_to_h.weight`, [C, F]).set(`${l}.mlp.dense_4h_to_h.bias`, [C]);
  }
  shapes.set('gpt_neox.final_layer_norm.weight', [C]).set('gpt_neox.final_layer_norm.bias', [C]);
  shapes.set(NEOX_LM_HEAD, [V, C]);
  return shapes;
}

/** Whether a GPT-NeoX parameter is a LayerNorm gain (initialised to 1; biases 0, everything else normal(0, 0.02), as transformers). */
export function isNeoxNorm(name: string): boolean {
  return name.endsWith('layernorm.weight') || name === 'gpt_neox.final_layer_norm.weight';
}
