/**
 * The KL of a frontier point, measured on the completions sampled from the policy, two
 * ways per sample (y includes eos when it was sampled, src/model/completionTokens.ts):
 *
 *   kl_sample = log pi_T(y|x) - log pi_ref(y|x)
 *   kl        = sum_t KL(pi_T(.|x,y<t) || pi_ref(.|x,y<t))   (src/losses/stepKl.ts)
 *
 * pi_T is the distribution actually sampled: softmax(logits / T), renormalised over the
 * top-k / top-p support when those restrict the draw, the argmax alone at T = 0. Both
 * have mean KL(pi_T || pi_ref) over samples of pi_T; `kl` is never negative and has the
 * lower variance, and is the one the frontier plots. (TRL's PPOTrainer logs
 * objective/kl as the summed per-token logprob - ref_logprob, our kl_sample, with the
 * reference's logits divided by T as well; here the reference stays at temperature 1.)
 */
import * as tf from '@tensorflow/tfjs';
import { stepKl, temperedLogProbs } from '../losses/stepKl.ts';
import { completionHidden, completionLogits } from '../model/completionHidden.ts';
import type { GPT } from '../model/gpt.ts';
import { samplingSupport, type SamplingOptions } from '../model/sampling.ts';

export interface CompletionScores {
  /** log pi_T(y|x) per sample, summed over the completion's tokens. */
  logp: number[];
  /** log pi_ref(y|x) per sample (the reference at temperature 1). */
  refLogp: number[];
  /** logp - refLogp. */
  klSample: number[];
  /** The per-step KL summed along each sample's path. */
  kl: number[];
}

export interface ScoreCompletionsOptions {
  /** How the completions were sampled: the policy's distribution is measured as sampled. */
  sampling: Required<SamplingOptions>;
  /** Samples run through the models together. */
  batchSize: number;
  pad: number;
}

/** Logit rows (tokens) per (rows, V) block: bounds the memory of the vocabulary-wide terms. */
const BLOCK_ELEMENTS = 1 << 22;

/**
 * logp, refLogp, klSample and kl of each (prompt, completion). `completions` are the
 * tokens log pi(y|x) sums over (eos included when sampled). When `reference` is the
 * policy itself one forward pass serves both.
 */
export async function scoreCompletions(
  policy: GPT,
  reference: GPT,
  promptIds: readonly number[][],
  completions: readonly number[][],
  options: ScoreCompletionsOptions,
): Promise<CompletionScores> {
  const n = completions.length;
  const scores: CompletionScores = { logp: new Array(n).fill(0), refLogp: new Array(n).fill(0), klSample: [], kl: new Array(n).fill(0) };
  const V = policy.config.vocabSize;
  const blockRows = Math.max(1, Math.floor(BLOCK_ELEMENTS / V));
  for (let start = 0; start < n; start += options.batchSize) {
    const prompts = promptIds.slice(start, start + options.batchSize);
    const batch = completions.slice(start, start + options.batchSize);
    const ofPolicy = completionHidden(policy, prompts, batch, options.pad);
    const ofReference = reference === policy ? ofPolicy : completionHidden(reference, prompts, batch, options.pad);
    try {
      const { targets, sampleOf } = ofPolicy;
      for (let from = 0; from < targets.length; from += blockRows) {
        const to = Math.min(targets.length, from + blockRows);
        const rows = await scoreRows(policy, reference, ofPolicy.hidden, ofReference.hidden, targets.slice(from, to), from, options.sampling);
        for (let i = 0; i < to - from; i++) {
          const sample = start + sampleOf[from + i];
          scores.logp[sample] += rows.logp[i];
          scores.refLogp[sample] += rows.refLogp[i];
          scores.kl[sample] += rows.kl[i];
        }
      }
    } finally {
      ofPolicy.hidden.dispose();
      if (ofReference !== ofPolicy) ofReference.hidden.dispose();
    }
  }
  scores.klSample = scores.logp.map((logp, i) => logp - scores.refLogp[i]);
  return scores;
}

/** Per token row: log pi_T(target), log pi_ref(target) and the per-step KL. */
async function scoreRows(
  policy: GPT,
  reference: GPT,
  policyHidden: tf.Tensor2D,
  referenceHidden: tf.Tensor2D,
  targets: number[],
  from: number,
  sampling: Required<SamplingOptions>,
): Promise<{ logp: Float32Array; refLogp: Float32Array; kl: Float32Array }> {
  const N = targets.length;
  const V = policy.config.vocabSize;
  const policyLogits = completionLogits(policy, policyHidden, from, from + N); // (N, V)
  const support = await supportMask(policyLogits, targets, sampling);
  const [logp, refLogp, kl] = tf.tidy(() => {
    const referenceLogits = reference === policy ? policyLogits : completionLogits(reference, referenceHidden, from, from + N);
    const logq = temperedLogProbs(policyLogits, sampling.temperature, support); // (N, V)
    const logr = temperedLogProbs(referenceLogits, 1); // (N, V)
    const picked = tf.tensor1d(targets.map((t, i) => i * V + t), 'int32'); // row * V + target
    return [tf.gather(logq.reshape([N * V]), picked), tf.gather(logr.reshape([N * V]), picked), stepKl(logq, logr)];
  });
  const values = { logp: (await logp.data()) as Float32Array, refLogp: (await refLogp.data()) as Float32Array, kl: (await kl.data()) as Float32Array };
  tf.dispose([policyLogits, support, logp, refLogp, kl].filter((t) => t !== undefined));
  return values;
}

/**
 * The support (N, V) of a restricted or greedy draw (samplingSupport, the rule generation
 * used), or undefined when every id is kept. The token actually sampled is always kept:
 * these logits come from a full forward pass rather than generation's cached one, and a
 * rounding difference must not put a sampled token outside its own distribution.
 */
async function supportMask(logits: tf.Tensor2D, targets: number[], sampling: Required<SamplingOptions>): Promise<tf.Tensor2D | undefined> {
  const [N, V] = logits.shape;
  const sampled = () => tf.oneHot(tf.tensor1d(targets, 'int32'), V);
  const restricted = (sampling.topK > 0 && sampling.topK < V) || sampling.topP < 1;
  if (!restricted) {
    if (sampling.temperature > 0) return undefined;
    // Greedy: the argmax (the first on ties, as argmax in ./sampling.ts), in tensors.
    return tf.tidy(() => tf.cast(tf.maximum(tf.oneHot(tf.argMax(logits, 1), V), sampled()), 'float32') as tf.Tensor2D);
  }
  const values = (await logits.data()) as Float32Array;
  const mask = new Float32Array(N * V);
  for (let i = 0; i < N; i++) {
    for (const id of samplingSupport(values.subarray(i * V, (i + 1) * V), sampling)) mask[i * V + id] = 1;
    mask[i * V + targets[i]] = 1;
  }
  return tf.tensor2d(mask, [N, V]);
}
