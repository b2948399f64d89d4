/**
 * Test fixtures for the evaluation: a dataset output with held-out prompts, a tiny
 * random "sft" model as the reference, and a "dpo" policy made from it by a few steps of
 * fine-tuning on positive completions, all saved as stage outputs.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writePrompts, writeTexts, type PromptRecord } from '../../src/data/artifacts.ts';
import { buildBatch, createModel, disposeModel, loadStageModel, modelDir, resolveConfig, saveModel, sequenceLogProbs } from '../../src/model/index.ts';
import type { StageOutput } from '../../src/core/stageContract.ts';
import { buildTokenizer } from '../../src/tokenizer/index.ts';
import { modelGradients, disposeGradients } from '../../src/training/gradients.ts';
import { createOptimizer } from '../../src/training/optimizer.ts';

const SUBJECTS = ['the film was', 'this movie is', 'the acting felt', 'the plot seemed', 'my friends said it was', 'overall the show is'];
const GOOD = ['great and fun', 'wonderful to watch', 'good and lovely'];
const BAD = ['awful and boring', 'terrible to watch', 'bad and dull'];

export function output(stage: string, kind: string, dir: string, settings: Record<string, unknown> = {}, sweep: Record<string, unknown> = {}): StageOutput {
  const id = Object.keys(sweep).length > 0 ? `${stage}[${Object.entries(sweep).map(([k, v]) => `${k}=${v}`).join(',')}]` : stage;
  return { id, stage, kind, dir, settings, sweep };
}

export interface TinyOutputs {
  data: StageOutput;
  sft: StageOutput;
  dpo: StageOutput;
}

export async function tinyOutputs(): Promise<TinyOutputs> {
  const texts = SUBJECTS.flatMap((s) => [...GOOD, ...BAD].map((c) => `${s} ${c}`));
  const tokenizer = buildTokenizer({ kind: 'word', vocabSize: 100, lowercase: true, splitPunctuation: true }, texts);

  const dataDir = await mkdtemp(join(tmpdir(), 'dpo-run-eval-data-'));
  await writeTexts(dataDir, texts.map((text) => ({ text, split: 'train' })));
  const prompts: PromptRecord[] = SUBJECTS.map((prompt, i) => ({ prompt, completion: ` ${i % 2 === 0 ? GOOD[i % 3] : BAD[i % 3]}`, split: 'test' }));
  await writePrompts(dataDir, prompts);

  const config = resolveConfig({ vocabSize: tokenizer.vocabSize, contextLength: 24, nLayer: 1, nHead: 2, nEmbd: 16 });
  const sftDir = await mkdtemp(join(tmpdir(), 'dpo-run-eval-sft-'));
  const reference = createModel(config, { seed: 5 });
  await saveModel(modelDir(sftDir), reference, tokenizer.toJSON());
  disposeModel(reference);

  // The "dpo" policy: the reference after a few steps towards the positive completions.
  const dpoDir = await mkdtemp(join(tmpdir(), 'dpo-run-eval-dpo-'));
  const { model: policy } = await loadStageModel(sftDir, { trainable: true });
  const optimizer = createOptimizer({ name: 'adam', weight_decay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  const promptIds = SUBJECTS.flatMap((s) => GOOD.map(() => [tokenizer.bos, ...tokenizer.encode(s)]));
  const completionIds = SUBJECTS.flatMap(() => GOOD.map((g) => [...tokenizer.encode(g), tokenizer.eos]));
  for (let step = 0; step < 8; step++) {
    const { grads } = modelGradients([policy], () =>
      tf.tidy(() => sequenceLogProbs(policy, buildBatch(promptIds, completionIds, tokenizer.pad)).logps.mean().neg() as tf.Scalar),
    );
    optimizer.step(policy.params, grads, 2e-2);
    disposeGradients(grads);
  }
  await saveModel(modelDir(dpoDir), policy, tokenizer.toJSON());
  disposeModel(policy);
  optimizer.dispose();

  return {
    data: output('data', 'dataset', dataDir),
    sft: output('sft', 'sft', sftDir),
    dpo: output('dpo', 'dpo', dpoDir, { beta: 0.1 }, { beta: 0.1 }),
  };
}
