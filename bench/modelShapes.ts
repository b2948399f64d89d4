/**
 * The two model sizes the benchmark cases measure: the sft model of pipelines/imdb.yaml
 * (read from the file, so the figures follow it) and a GPT-2-small-shaped model with
 * fewer layers (GPT-2's vocabulary and width, 2 layers, context 128).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { resolveConfig, type GPTConfig } from '../src/model/index.ts';

export interface ModelShape {
  name: string;
  config: GPTConfig;
  /** Sequences per training step. */
  batchSize: number;
  /** Tokens per training sequence. */
  sequenceLength: number;
}

/** The imdb.yaml sft model, with the word tokenizer's vocabulary cap as its vocabulary. */
export function imdbShape(): ModelShape {
  const file = new URL('../pipelines/imdb.yaml', import.meta.url);
  const sft = parse(readFileSync(file, 'utf8')).stages.sft;
  const { n_layer, n_head, n_embd, context_length } = sft.model;
  const config = resolveConfig({ vocabSize: sft.tokenizer.vocab_size, contextLength: context_length, nLayer: n_layer, nHead: n_head, nEmbd: n_embd }, 'pipelines/imdb.yaml sft.model');
  return { name: 'imdb', config, batchSize: sft.train.batch_size, sequenceLength: context_length };
}

export function gpt2SmallShape(): ModelShape {
  const config = resolveConfig({ vocabSize: 50257, contextLength: 128, nLayer: 2, nHead: 12, nEmbd: 768 });
  return { name: 'gpt2-small-2-layers', config, batchSize: 4, sequenceLength: 128 };
}

/** Both shapes, or those named in DPO_RUN_BENCH_SHAPES (`imdb`, `gpt2-small-2-layers`; comma-separated). */
export function modelShapes(): ModelShape[] {
  const all = [imdbShape(), gpt2SmallShape()];
  const names = process.env.DPO_RUN_BENCH_SHAPES?.split(',');
  return names ? all.filter((shape) => names.includes(shape.name)) : all;
}
