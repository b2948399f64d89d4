/**
 * A stage instance's memory, estimated from shapes (core/memoryNeeds.ts): the parameters,
 * gradients and optimizer state of the models it holds, the activations a training step
 * keeps for backprop, and the KV cache of sampling. float32 throughout (4 bytes). No
 * TensorFlow.js here: `--dry-run` uses it before any backend is loaded.
 *
 * A Llama model's training activations use the GPT-2 fit (peak/estimate measured at ~1.09);
 * its parameter count and KV cache are its own. GPT-NeoX and GPT-J use the GPT-2 fit too, with
 * their own parameter counts.
 *
 * The activation coefficients were measured, not derived: the peak of tf.memory().numBytes
 * over one SFT step (tf.profile's peakBytes), less weights, optimizer state and
 * gradients, fitted over 13 shapes on wasm with the native kernels (V 256-4000, T 32-128,
 * L 1-6, C 32-128, B 2-8; every shape within 5% of the fit). TensorFlow.js takes gradients
 * inside one tf.tidy, so every intermediate of the forward AND of the backward is alive
 * when the last gradient is made: that is the peak, and why the coefficients are large.
 * test/model/memoryEstimate.test.ts checks the estimate against measured peaks.
 */
import type { MemoryNeeds, ModelDims, TrainedForward } from '../core/memoryNeeds.ts';

const FLOAT = 4;

/** Optimizer state per parameter: Adam(W) keeps two moments, RMSprop one mean square, SGD none. */
export const OPTIMIZER_SLOTS: Record<string, number> = { adamw: 2, adam: 2, rmsprop: 1, sgd: 0 };

/** How the backend computes what dominates memory. */
export interface BackendTraits {
  /**
   * The fused kernels of native/ (native-cpu; wasm with the native kernels): attention that
   * recomputes its softmax weights in the backward instead of keeping them (no (T, T)
   * term), GELU, LayerNorm and the target log-probabilities as one op each. Without them
   * (cpu, tensorflow) the composed ops keep many more intermediates per layer.
   */
  fusedKernels: boolean;
}

export interface MemoryEstimate {
  /** Bytes of each part, and their sum. */
  weights: number;
  grads: number;
  optimizer: number;
  activations: number;
  caches: number;
  total: number;
}

/**
 * GPT-2's parameter count (src/model/gpt.ts's parameterShapes): wte (V, C), wpe (N, C),
 * per layer 12 C^2 + 13 C (c_attn C x 3C, attn c_proj C x C, c_fc C x 4C, mlp c_proj 4C x C,
 * their biases, two LayerNorms), ln_f 2C, and score (1, C) with a scalar head.
 */
export function parameterCountOf(dims: ModelDims, scalarHead: boolean): number {
  const { vocabSize: V, contextLength: N, nLayer: L, nEmbd: C } = dims;
  if (dims.llama) {
    // Llama (src/model/llamaParams.ts): embed_tokens (V, C), per layer q and o C^2 each, k and v
    // C (K D) each, gate, up and down C F each, two RMSNorm gains; model.norm C; lm_head (V, C) when untied.
    const { intermediateSize: F, nKvHead: K, tieWordEmbeddings } = dims.llama;
    const kv = K * (C / dims.nHead);
    return V * C + L * (2 * C * C + 2 * C * kv + 3 * C * F + 2 * C) + C + (tieWordEmbeddings ? 0 : V * C) + (scalarHead ? C : 0);
  }
  if (dims.neox) {
    // GPT-NeoX (src/model/neoxParams.ts): embed_in and embed_out (V, C), per layer query_key_value
    // C x 3C and dense C x C with biases, dense_h_to_4h and dense_4h_to_h C F each with biases, two
    // LayerNorms (weight and bias); final_layer_norm 2C.
    const F = dims.neox.intermediateSize;
    return 2 * V * C + L * (4 * C * C + 4 * C + 2 * C * F + F + C + 4 * C) + 2 * C + (scalarHead ? C : 0);
  }
  if (dims.gptj) {
    // GPT-J (src/model/gptjParams.ts): wte (V, C), per layer one LayerNorm 2C, q, k, v and out_proj
    // C^2 each without biases, fc_in and fc_out C F each with biases; ln_f 2C; lm_head (V, C) with its bias V.
    const F = dims.gptj.intermediateSize;
    return V * C + L * (2 * C + 4 * C * C + 2 * C * F + F + C) + 2 * C + V * C + V + (scalarHead ? C : 0);
  }
  return V * C + N * C + L * (12 * C * C + 13 * C) + 2 * C + (scalarHead ? C : 0);
}

/**
 * The bytes one training forward keeps alive until its gradients exist, S sequences of T
 * tokens, with the fused kernels (coefficients measured on wasm; see the file's comment):
 *
 *   logits      6 S T V      (S, T, V) logits, their log-softmax, and the gradients of both
 *   per layer   96 S T C     (S, T, c C) with c = 96: ln_1, qkv (3C), q/k/v, attention out,
 *                            c_proj, residual, ln_2, c_fc (4C), GELU (4C), mlp c_proj, and the
 *                            backward's gradient of each, with the transposed copies of them
 *   backward    3 P          the transposed weights and the per-op weight gradients before they are summed
 *
 * Without the fused kernels (tfjs-backend-cpu, measured on three shapes; tfjs-node assumed alike):
 *
 *   logits      10 S T V     the composed log-softmax keeps its max, shifted logits and exp
 *   per layer   230 S T C    composed GELU and LayerNorm keep each of their elementwise steps
 *   attention   8 S H T^2    per layer: the (S, H, T, T) scores, bias, softmax and their gradients
 *
 * Dropout turns the fused attention off too (the composed path draws its mask on the weights).
 */
export function trainingActivationBytes(forward: TrainedForward, backend: BackendTraits): number {
  const { dims, sequences: S, length: T } = forward;
  const { vocabSize: V, nLayer: L, nHead: H, nEmbd: C } = dims;
  const logits = forward.logits ? (backend.fusedKernels ? 6 : 10) * S * T * V : 0;
  const layers = L * (backend.fusedKernels ? 96 : 230) * S * T * C;
  const attention = backend.fusedKernels && dims.dropout === 0 ? 0 : L * 8 * S * H * T * T;
  const backward = 3 * parameterCountOf(dims, !forward.logits);
  return FLOAT * (logits + layers + attention + backward);
}

/**
 * Sampling S sequences up to T tokens: the KV cache, keys and values of every layer,
 * 2 x L x (S, T, C) (Llama: C nKvHead / nHead, its grouped-query key/value width); and the scoring forward of the samples (their log-probabilities under
 * the policy, for the KL), its (S, T, V) logits and log-softmax.
 */
export function samplingBytes(dims: ModelDims, sequences: number, length: number): { caches: number; activations: number } {
  const { vocabSize: V, nLayer: L, nEmbd } = dims;
  const C = dims.llama ? (nEmbd / dims.nHead) * dims.llama.nKvHead : nEmbd;
  return { caches: FLOAT * 2 * L * sequences * length * C, activations: FLOAT * 2 * sequences * length * V };
}

export function estimateMemory(needs: MemoryNeeds, backend: BackendTraits): MemoryEstimate {
  const count = (trains: boolean | undefined) =>
    needs.models.filter((m) => trains === undefined || m.trains === trains).reduce((sum, m) => sum + parameterCountOf(m.dims, m.scalarHead), 0);
  const weights = FLOAT * count(undefined);
  const grads = FLOAT * count(true);
  const slots = needs.optimizer === undefined ? 0 : (OPTIMIZER_SLOTS[needs.optimizer] ?? 2);
  const optimizer = slots * grads;
  const stepActivations = needs.step.reduce((sum, f) => sum + trainingActivationBytes(f, backend), 0);
  const sampling = needs.sampling ? samplingBytes(needs.sampling.dims, needs.sampling.sequences, needs.sampling.length) : { caches: 0, activations: 0 };
  // A stage samples and trains at different times (PPO's rollout, then its updates): the larger of the two.
  const [activations, caches] = stepActivations >= sampling.activations + sampling.caches ? [stepActivations, 0] : [sampling.activations, sampling.caches];
  return { weights, grads, optimizer, activations, caches, total: weights + grads + optimizer + activations + caches };
}
