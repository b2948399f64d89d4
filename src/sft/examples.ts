/**
 * The sft stage's examples: token sequences with the position where the loss starts,
 * made from a dataset's texts or prompts, and padded batches of them. A text (or a
 * prompt's completion) is followed by eos, a target like its other tokens, so that the
 * model learns to stop where texts end: the completion tokens log pi(y|x) sums over
 * everywhere else (textCompletionTokens, src/model/completionTokens.ts). A text cut to
 * the context loses its eos: it did not end there. (Not through textCompletionTokens
 * itself, which refuses a text that encodes to eos: a training text may contain GPT-2's
 * "<|endoftext|>" written out, and is learned as it is.)
 */
import * as tf from '@tensorflow/tfjs';
import type { PromptRecord, TextRecord } from '../data/artifacts.ts';
import type { Tokenizer } from '../tokenizer/index.ts';

/** ids[t] is a target (its log-probability counts in the loss) for every t >= lossFrom (and t >= 1). */
export interface Example {
  ids: number[];
  lossFrom: number;
}

/**
 * A batch of examples, right-padded: ids (B, T) int32, lossMask (B, T-1) 1 where ids[:, 1:]
 * is a target. Right padding needs no attention mask: causal attention never looks right.
 */
export interface ExampleBatch {
  ids: tf.Tensor2D;
  lossMask: tf.Tensor2D;
  /** The number of target tokens (the sum of lossMask). */
  targets: number;
  /** The number of real (non-padding) tokens. */
  tokens: number;
}

/** Each text as a document: <bos> text <eos>, cut to `contextLength` tokens; every token after <bos> is a target. */
export function textExamples(texts: readonly TextRecord[], tokenizer: Tokenizer, contextLength: number): Example[] {
  return texts.map((t) => ({ ids: [tokenizer.bos, ...tokenizer.encode(t.text), tokenizer.eos].slice(0, contextLength), lossFrom: 1 }));
}

/**
 * Each prompt with its completion: <bos> prompt completion <eos>, cut to `contextLength`
 * tokens; only the completion and <eos> are targets. Prompts that leave no room for a
 * completion token are dropped.
 */
export function promptCompletionExamples(prompts: readonly PromptRecord[], tokenizer: Tokenizer, contextLength: number): Example[] {
  const examples: Example[] = [];
  for (const p of prompts) {
    const prompt = [tokenizer.bos, ...tokenizer.encode(p.prompt)];
    const ids = [...prompt, ...tokenizer.encode(p.completion), tokenizer.eos].slice(0, contextLength);
    if (ids.length > prompt.length) examples.push({ ids, lossFrom: prompt.length });
  }
  return examples;
}

/** Pads `examples` on the right with `pad` into one batch (the caller disposes its tensors). */
export function exampleBatch(examples: readonly Example[], pad: number): ExampleBatch {
  if (examples.length === 0) throw new Error('exampleBatch: no examples');
  const B = examples.length;
  const T = Math.max(2, ...examples.map((e) => e.ids.length));
  const ids = new Int32Array(B * T).fill(pad);
  const lossMask = new Float32Array(B * (T - 1));
  let targets = 0;
  let tokens = 0;
  examples.forEach((example, b) => {
    ids.set(example.ids, b * T);
    // the target ids[t] sits at column t - 1 of the mask
    for (let t = Math.max(1, example.lossFrom); t < example.ids.length; t++) lossMask[b * (T - 1) + t - 1] = 1;
    targets += Math.max(0, example.ids.length - Math.max(1, example.lossFrom));
    tokens += example.ids.length;
  });
  return { ids: tf.tensor2d(ids, [B, T], 'int32'), lossMask: tf.tensor2d(lossMask, [B, T - 1]), targets, tokens };
}

export function disposeBatch(batch: ExampleBatch): void {
  batch.ids.dispose();
  batch.lossMask.dispose();
}
