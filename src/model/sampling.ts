/**
 * Picking the next token from one row of logits, on the CPU, from a uniform number the
 * caller draws (so that generation is reproducible from a seed); for a batch of rows in
 * one native kernel where the backend has it (the same rule, in double precision).
 */
import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS, hasFusedKernel, runFused } from '../backend/kernelNames.ts';

export interface SamplingOptions {
  /** Softmax temperature; 0 picks the most likely token (greedy). */
  temperature: number;
  /** Keep only the k most likely tokens (0 or undefined: all). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (1 or undefined: all). */
  topP?: number;
}

/**
 * Samples a token id from softmax(logits / temperature), restricted by top-k and then
 * top-p (nucleus), by inverting the cumulative distribution at `u` in [0, 1).
 * Ties are broken by the lower token id.
 */
export function sampleToken(logits: ArrayLike<number>, options: SamplingOptions, u: number): number {
  if (options.temperature <= 0) return argmax(logits);
  const restricted = restrictedWeights(logits, options);
  if (!restricted) return sampleUnrestricted(logits, options.temperature, u);
  const { candidates, weights } = restricted;
  const total = weights.reduce((s, w) => s + w, 0);
  let threshold = u * total;
  for (let i = 0; i < candidates.length; i++) {
    threshold -= weights[i];
    if (threshold < 0) return candidates[i];
  }
  return candidates[candidates.length - 1];
}

/**
 * The ids sampleToken can return for these logits, ascending: the argmax at temperature
 * 0, the top-k / top-p set when restricted, every id otherwise. The distribution actually
 * sampled is softmax(logits / temperature) renormalised over this set (see
 * src/losses/stepKl.ts, which measures its KL).
 */
export function samplingSupport(logits: ArrayLike<number>, options: SamplingOptions): number[] {
  if (options.temperature <= 0) return [argmax(logits)];
  const restricted = restrictedWeights(logits, options);
  if (!restricted) return Array.from({ length: logits.length }, (_, i) => i);
  return [...restricted.candidates].sort((a, b) => a - b);
}

/**
 * The candidates of a top-k / top-p restricted draw, sorted by logit (highest first, ties
 * to the lower id), with their weights exp((logit - max) / temperature); undefined when
 * nothing restricts the draw. One rule for sampleToken and samplingSupport.
 */
function restrictedWeights(logits: ArrayLike<number>, options: SamplingOptions): { candidates: number[]; weights: number[] } | undefined {
  const V = logits.length;
  const topK = options.topK && options.topK > 0 ? Math.min(options.topK, V) : V;
  const topP = options.topP ?? 1;
  if (topK === V && topP >= 1) return undefined;
  let candidates = topK < V ? topKIds(logits, topK) : Array.from({ length: V }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  let max = -Infinity;
  for (const id of candidates) max = Math.max(max, logits[id]);
  const weights = candidates.map((id) => Math.exp((logits[id] - max) / options.temperature));
  if (topP < 1) {
    const total = weights.reduce((s, w) => s + w, 0);
    let kept = 0;
    let cumulative = 0;
    while (kept < weights.length && cumulative < topP * total) cumulative += weights[kept++];
    candidates = candidates.slice(0, Math.max(kept, 1));
    weights.length = candidates.length;
  }
  return { candidates, weights };
}

/**
 * sampleToken for each row of logits (B, V) at its uniform (B): the token ids. The logits
 * tensor is left to the caller.
 */
export async function sampleTokens(logits: tf.Tensor2D, uniforms: number[], options: SamplingOptions): Promise<number[]> {
  const [B, V] = logits.shape;
  if (uniforms.length !== B) throw new Error(`sampleTokens: ${B} rows but ${uniforms.length} uniforms`);
  if (hasFusedKernel(FUSED_KERNELS.sampleTokens) && logits.dtype === 'float32') {
    const attrs = { uniforms, temperature: options.temperature, topK: options.topK ?? 0, topP: options.topP ?? 1 };
    const tokens = runFused<tf.Tensor1D>(FUSED_KERNELS.sampleTokens, { logits }, attrs);
    const ids = Array.from(await tokens.data());
    tokens.dispose();
    return ids;
  }
  const values = (await logits.data()) as Float32Array;
  return uniforms.map((u, b) => sampleToken(values.subarray(b * V, (b + 1) * V), options, u));
}

/**
 * The k ids of the highest logits, highest first, ties to the lower id: what sorting all V
 * ids that way and keeping the first k gives, in one pass (an insertion into a list of k).
 */
export function topKIds(logits: ArrayLike<number>, k: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < logits.length; i++) {
    const full = ids.length === k;
    if (full && !(logits[i] > logits[ids[k - 1]])) continue; // a tie loses to the lower id already kept
    let pos = full ? k - 1 : ids.length;
    if (!full) ids.push(i);
    while (pos > 0 && logits[ids[pos - 1]] < logits[i]) {
      ids[pos] = ids[pos - 1];
      pos--;
    }
    ids[pos] = i;
  }
  return ids;
}

let scratch = new Float64Array(0);

/**
 * The unrestricted case of sampleToken without per-call arrays (it runs once per row per
 * generated token): the same weights, summed and inverted in the same order, so the same
 * token for the same u.
 */
function sampleUnrestricted(logits: ArrayLike<number>, temperature: number, u: number): number {
  const V = logits.length;
  if (scratch.length < V) scratch = new Float64Array(V);
  let max = -Infinity;
  for (let i = 0; i < V; i++) max = Math.max(max, logits[i]);
  let total = 0;
  for (let i = 0; i < V; i++) {
    scratch[i] = Math.exp((logits[i] - max) / temperature);
    total += scratch[i];
  }
  let threshold = u * total;
  for (let i = 0; i < V; i++) {
    threshold -= scratch[i];
    if (threshold < 0) return i;
  }
  return V - 1;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
