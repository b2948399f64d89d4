/**
 * The Llama model's parameters, under Hugging Face's names and in its layouts (Linear
 * weights are [out, in], no biases; D = nEmbd / nHead, K = nKvHead, F = intermediateSize):
 *
 *   model.embed_tokens.weight                          (V, C)
 *   model.layers.{i}.input_layernorm.weight            (C)       RMSNorm gain
 *   model.layers.{i}.self_attn.q_proj.weight           (nHead D, C)
 *   model.layers.{i}.self_attn.k_proj.weight / v_proj  (K D, C)  grouped-query attention
 *   model.layers.{i}.self_attn.o_proj.weight           (C, nHead D)
 *   model.layers.{i}.post_attention_layernorm.weight   (C)
 *   model.layers.{i}.mlp.gate_proj.weight / up_proj    (F, C)    SwiGLU
 *   model.layers.{i}.mlp.down_proj.weight              (C, F)
 *   model.norm.weight                                  (C)
 *   lm_head.weight                                     (V, C)    only when not tied to embed_tokens
 *
 * The forward pass is in llamaForward.ts.
 */
import type { GPTConfig, LlamaConfig } from './config.ts';

export const LLAMA_EMBEDDING = 'model.embed_tokens.weight';
export const LLAMA_LM_HEAD = 'lm_head.weight';

/** The name and shape of every Llama parameter (without the scalar head), in a fixed order. */
export function llamaParameterShapes(config: GPTConfig, llama: LlamaConfig): Map<string, number[]> {
  const { vocabSize: V, nEmbd: C, nHead, nLayer } = config;
  const D = C / nHead, K = llama.nKvHead, F = llama.intermediateSize;
  const shapes = new Map<string, number[]>([[LLAMA_EMBEDDING, [V, C]]]);
  for (let i = 0; i < nLayer; i++) {
    const l = `model.layers.${i}`;
    shapes.set(`${l}.input_layernorm.weight`, [C]);
    shapes.set(`${l}.self_attn.q_proj.weight`, [nHead * D, C]);
    shapes.set(`${l}.self_attn.k_proj.weight`, [K * D, C]);
    shapes.set(`${l}.self_attn.v_proj.weight`, [K * D, C]);
    shapes.set(`${l}.self_attn.o_proj.weight`, [C, nHead * D]);
    shapes.set(`${l}.post_attention_layernorm.weight`, [C]);
    shapes.set(`${l}.mlp.gate_proj.weight`, [F, C]);
    shapes.set(`${l}.mlp.up_proj.weight`, [F, C]);
    shapes.set(`${l}.mlp.down_proj.weight`, [C, F]);
  }
  shapes.set('model.norm.weight', [C]);
  if (!llama.tieWordEmbeddings) shapes.set(LLAMA_LM_HEAD, [V, C]);
  return shapes;
}

/** Whether a Llama parameter is an RMSNorm gain (initialised to 1; everything else is normal(0, 0.02), as transformers). */
export function isLlamaNorm(name: string): boolean {
  return name.endsWith('layernorm.weight') || name === 'model.norm.weight';
}
