/**
 * What both engines of bench:peer compute on: a policy and a reference model (GPT-2's
 * initialisation, two seeds), the token batches as the project builds them, and the step
 * settings. `saveWorkload` writes them for bench/peer.py: each model as a Hugging Face
 * folder through the project's checkpoint writer (`policy/`, `reference/`), and
 * `batches.json` with the tensors the project feeds the model (ids and masks), so that
 * PyTorch reads exactly the sequences, masks and settings TensorFlow.js uses.
 *
 * The reference has its own seed rather than being a copy of the policy: with a copy the
 * first DPO loss is log 2 whatever either engine computes, and proves nothing. A copy
 * would cost the same.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createModel, disposeModel, saveModel, type GPT } from '../../src/model/index.ts';
import { pairBatch, type PairIds } from '../../src/pairwise/batch.ts';
import { Random } from '../../src/core/random.ts';
import { disposeBatch, exampleBatch, type Example } from '../../src/sft/examples.ts';
import type { OptimizerSettings } from '../../src/training/optimizer.ts';
import { describeShape, type PeerShape } from './shapes.ts';

/** The settings of the three measured steps; bench/peer.py reads them from batches.json. */
export const PEER_SETTINGS = {
  /** Tokens of each DPO and generation prompt; completions fill the rest of the context. */
  promptTokens: 8,
  pad: 0,
  lr: 1e-4,
  maxGradNorm: 1,
  sft: { optimizer: { name: 'adamw', weight_decay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 } satisfies OptimizerSettings },
  dpo: { optimizer: { name: 'adam', weight_decay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 } satisfies OptimizerSettings, beta: 0.1 },
  temperature: 1,
} as const;

export interface Workload {
  shape: PeerShape;
  /** The starting weights: each step clones them, so every run starts from the same values. */
  policy: GPT;
  /** Frozen (not trainable). */
  reference: GPT;
  /** SFT: `batch` sequences filling the context, every token after the first a target. */
  examples: Example[];
  /** DPO: `batch` pairs, prompt of promptTokens, completions filling the context. */
  pairs: PairIds[];
  /** Generation: `batch` prompts of promptTokens. */
  prompts: number[][];
  /** contextLength - promptTokens, or the shape's newTokens when fewer. */
  maxNewTokens: number;
}

/** A workload for `shape`, reproducible from `seed`; dispose it with disposeWorkload. */
export function createWorkload(shape: PeerShape, seed: number): Workload {
  const { vocabSize: V, contextLength: N } = shape.config;
  const P = PEER_SETTINGS.promptTokens;
  if (N <= P) throw new Error(`bench:peer needs a context longer than the ${P}-token prompts, got ${N}`);
  const random = new Random(seed);
  const ids = (n: number) => Array.from({ length: n }, () => random.int(V));
  const rows = Array.from({ length: shape.batch });
  return {
    shape,
    policy: createModel(shape.config, { seed }),
    reference: createModel(shape.config, { seed: seed + 1, trainable: false }),
    examples: rows.map(() => ({ ids: ids(N), lossFrom: 1 })),
    pairs: rows.map(() => ({ prompt_ids: ids(P), chosen_ids: ids(N - P), rejected_ids: ids(N - P) })),
    prompts: rows.map(() => ids(P)),
    maxNewTokens: Math.min(N - P, shape.newTokens ?? N - P),
  };
}

export function disposeWorkload(workload: Workload): void {
  disposeModel(workload.policy);
  disposeModel(workload.reference);
}

/** Writes `dir`/policy, `dir`/reference (Hugging Face folders) and `dir`/batches.json. */
export async function saveWorkload(dir: string, workload: Workload): Promise<void> {
  await saveModel(join(dir, 'policy'), workload.policy);
  await saveModel(join(dir, 'reference'), workload.reference);
  const sft = exampleBatch(workload.examples, PEER_SETTINGS.pad);
  const dpo = pairBatch(workload.pairs, PEER_SETTINGS.pad, { rejected: true });
  const batches = {
    shape: describeShape(workload.shape),
    settings: PEER_SETTINGS,
    // ids (B, T); loss_mask (B, T-1), 1 where ids[:, 1:] is a target.
    sft: { ids: sft.ids.arraySync(), loss_mask: sft.lossMask.arraySync() },
    // Rows 0..B-1 prompt ++ chosen, rows B..2B-1 prompt ++ rejected: ids, response_mask, attention_mask (2B, T).
    dpo: { pairs: workload.pairs.length, ids: dpo.ids.arraySync(), response_mask: dpo.responseMask.arraySync(), attention_mask: dpo.attentionMask.arraySync() },
    generation: { prompts: workload.prompts, max_new_tokens: workload.maxNewTokens },
  };
  disposeBatch(sft);
  dpo.ids.dispose();
  dpo.responseMask.dispose();
  dpo.attentionMask.dispose();
  await writeFile(join(dir, 'batches.json'), JSON.stringify(batches) + '\n');
}
