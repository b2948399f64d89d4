/**
 * Batched sampling from the model with a KV cache: the prompts are left-padded to one
 * length (padding masked out, positions counted from each prompt's first token), the
 * batch is run once over the prompts, and then each new token costs one position (one
 * fused kernel per layer where the backend has it, see fusedDecoder.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../core/errors.ts';
import type { Random } from '../core/random.ts';
import { outputBias, outputWeight, type GPT } from './gpt.ts';
import { transformer, type LayerCache } from './forward.ts';
import { canDecodeFused, FusedDecoder } from './fusedDecoder.ts';
import { sampleTokens, type SamplingOptions } from './sampling.ts';

export interface GenerateOptions extends SamplingOptions {
  /** The most tokens generated per prompt (fewer if the context fills up). */
  maxNewTokens: number;
  /** A sequence stops when it samples this id. */
  eos?: number;
  /** Draws the uniforms that pick each token; the same state gives the same tokens. */
  random: Random;
  /** Run the whole prefix at every step instead of caching keys and values (for tests and benchmarks). */
  useCache?: boolean;
}

/**
 * Generates a continuation of each prompt: for each, the new token ids (without the
 * prompt), cut before the eos token. Prompts may differ in length; each gets the same
 * tokens as it would alone (up to float rounding).
 */
export async function generate(model: GPT, prompts: number[][], options: GenerateOptions): Promise<number[][]> {
  const { contextLength } = model.config;
  const B = prompts.length;
  if (B === 0) return [];
  const P = Math.max(...prompts.map((p) => p.length));
  if (prompts.some((p) => p.length === 0)) throw new Error('generate: every prompt needs at least one token (a bos token)');
  const V = model.config.vocabSize;
  const outside = prompts.flat().find((id) => !Number.isInteger(id) || id < 0 || id >= V);
  if (outside !== undefined) throw new Error(`generate: token id ${outside} is outside the vocabulary of ${V}`);
  if (P >= contextLength) {
    throw new UserError(`cannot generate after a prompt of ${P} tokens: the model's context is ${contextLength}`, 'shorten the prompts');
  }
  const steps = Math.min(options.maxNewTokens, contextLength - P);
  const pad = options.eos ?? 0;
  const useCache = options.useCache ?? true;

  // Left padding: row b starts with P - |prompt b| pads, masked out, at position 0.
  const sequences = prompts.map((p) => [...new Array(P - p.length).fill(pad), ...p]);
  const masks = prompts.map((p) => [...new Array(P - p.length).fill(0), ...new Array(p.length).fill(1)]);
  const positionOf = (b: number, t: number) => Math.max(0, t - (P - prompts[b].length));
  const generated: number[][] = prompts.map(() => []);
  const finished = new Array<boolean>(B).fill(false);

  const wteT = tf.tidy(() => outputWeight(model).transpose()) as tf.Tensor2D; // (C, V), once per call
  const headBias = outputBias(model); // (V) for GPT-J's lm_head, else none
  const fused = useCache && canDecodeFused(model);
  let cache: LayerCache[] = [];
  let decoder: FusedDecoder | undefined;
  try {
    for (let step = 0; step < steps && !finished.every(Boolean); step++) {
      const length = P + step;
      const from = useCache && step > 0 ? length - 1 : 0; // the positions this step runs
      let last: tf.Tensor2D;
      if (decoder) {
        last = decoder.step(sequences.map((s) => s[length - 1]), sequences.map((_, b) => positionOf(b, length - 1)), masks, length - 1, wteT);
      } else {
        const out = tf.tidy(() => {
          const ids = tf.tensor2d(sequences.map((s) => s.slice(from, length)), [B, length - from], 'int32');
          const positionIds = tf.tensor2d(sequences.map((_, b) => range(from, length).map((t) => positionOf(b, t))), [B, length - from], 'int32');
          const attentionMask = tf.tensor2d(masks, [B, length]);
          const run = transformer(model, ids, { attentionMask, positionIds }, useCache ? cache : undefined);
          const C = model.config.nEmbd;
          const hidden = run.hidden.slice([0, length - from - 1, 0], [B, 1, C]).reshape([B, C]);
          const last = headBias ? tf.add(tf.matMul(hidden, wteT), headBias) : tf.matMul(hidden, wteT);
          return { last: last as tf.Tensor2D, present: run.present ?? [] }; // (B, V)
        });
        tf.dispose(cache);
        cache = out.present;
        last = out.last;
        if (fused) {
          // From the second token on, one fused kernel per layer (the prompt pass above filled the caches).
          decoder = new FusedDecoder(model, cache);
          tf.dispose(cache);
          cache = [];
        }
      }
      // A uniform for every row, so each row's draws do not depend on the others finishing.
      const uniforms = Array.from({ length: B }, () => options.random.next());
      const sampled = await sampleTokens(last, uniforms, options);
      last.dispose();
      for (let b = 0; b < B; b++) {
        let token = pad;
        if (!finished[b]) {
          token = sampled[b];
          if (token === options.eos) finished[b] = true;
          else generated[b].push(token);
        }
        sequences[b].push(token);
        masks[b].push(1);
      }
    }
  } finally {
    tf.dispose(cache);
    decoder?.dispose();
    wteT.dispose();
  }
  return generated;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
