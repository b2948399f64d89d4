/**
 * The GPT-J model's parameters, under Hugging Face's names (GPTJForCausalLM) and in its
 * layouts (Linear weights are [out, in]; D = nEmbd / nHead, F = intermediateSize):
 *
 *   transformer.wte.weight                      (V, C)    token embedding (no position embedding: rotary)
 *   transformer.h.{i}.ln_1.weight/bias          (C)       the block's one LayerNorm
 *   transformer.h.{i}.attn.q_proj.weight        (C, C)    no biases in attention
 *   transformer.h.{i}.attn.k_proj.weight        (C, C)
 *   transformer.h.{i}.attn.v_proj.weight        (C, C)
 *   transformer.h.{i}.attn.out_proj.weight      (C, C)
 *   transformer.h.{i}.mlp.fc_in.weight/bias     (F, C) / (F)   GELU (tanh) MLP
 *   transformer.h.{i}.mlp.fc_out.weight/bias    (C, F) / (C)
 *   transformer.ln_f.weight/bias                (C)
 *   lm_head.weight / lm_head.bias               (V, C) / (V)   the output head, never tied, with a bias
 *
 * The forward pass is in gptjForward.ts. gpt.ts's initialisation applies as for GPT-2
 * (ln_* gains 1, biases 0, the rest normal(0, 0.02)).
 */
import type { GPTConfig, GptjConfig } from './config.ts';

export const GPTJ_EMBEDDING = 'transformer.wte.weight';
export const GPTJ_LM_HEAD = 'lm_head.weight';
export const GPTJ_LM_HEAD_BIAS = 'lm_head.bias';

/** The name and shape of every GPT-J parameter (without the scalar head), in a fixed order. */
export function gptjParameterShapes(config: GPTConfig, gptj: GptjConfig): Map<string, number[]> {
  const { vocabSize: V, nEmbd: C, nLayer } = config;
  const F = gptj.intermediateSize;
  const shapes = new Map<string, number[]>([[GPTJ_EMBEDDING, [V, C]]]);
  for (let i = 0; i < nLayer; i++) {
    const h = `transformer.h.${i}`;
    shapes.set(`${h}.ln_1.weight`, [C]).set(`${h}.ln_1.bias`, [C]);
    for (const proj of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) shapes.set(`${h}.attn.${proj}.weight`, [C, C]);
    shapes.set(`${h}.mlp.fc_in.weight`, [F, C]).set(`${h}.mlp.fc_in.bias`, [F]);
    shapes.set(`${h}.mlp.fc_out.weight`, [C, F]).set(`${h}.mlp.fc_out.bias`, [C]);
  }
  shapes.set('transformer.ln_f.weight', [C]).set('transformer.ln_f.bias', [C]);
  shapes.set(GPTJ_LM_HEAD, [V, C]).set(GPTJ_LM_HEAD_BIAS, [V]);
  return shapes;
}
