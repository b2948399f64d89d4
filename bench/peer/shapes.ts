/**
 * The models `npm run bench:peer` measures: the CPU-speed issue's model (vocabulary 2,048,
 * context 64, width 128, 4 layers, 4 heads, batch 8), the sft model of pipelines/imdb.yaml
 * with its train.batch_size (read from the file, so the figures follow it), and GPT-2
 * small (124M parameters: vocabulary 50,257, width 768, 12 layers, 12 heads) at context
 * 256 (batch 2) and 1024 (batch 1). GPT-2 small needs tensors in ordinary memory
 * (`--backend native-cpu`): its weights, gradients and Adam state alone are 2 GB, half the
 * wasm heap. Its generation is 64 new tokens per call, not the whole context.
 */
import { resolveConfig, type GPTConfig } from '../../src/model/index.ts';
import { imdbShape } from '../modelShapes.ts';

export interface PeerShape {
  name: string;
  config: GPTConfig;
  /** Sequences per SFT step, pairs per DPO step, prompts per generation call. */
  batch: number;
  /** New tokens per generation call (default: the context after the prompt). */
  newTokens?: number;
  /** Too large for the wasm heap: measured on native-cpu only. */
  ordinaryMemory?: boolean;
}

const gpt2Small = (contextLength: number) => resolveConfig({ vocabSize: 50257, contextLength, nLayer: 12, nHead: 12, nEmbd: 768 });

export const PEER_SHAPES: Record<string, () => PeerShape> = {
  issue: () => ({ name: 'issue', config: resolveConfig({ vocabSize: 2048, contextLength: 64, nLayer: 4, nHead: 4, nEmbd: 128 }), batch: 8 }),
  imdb: () => {
    const { config, batchSize } = imdbShape();
    return { name: 'imdb', config, batch: batchSize };
  },
  'gpt2-small-256': () => ({ name: 'gpt2-small-256', config: gpt2Small(256), batch: 2, newTokens: 64, ordinaryMemory: true }),
  'gpt2-small-1024': () => ({ name: 'gpt2-small-1024', config: gpt2Small(1024), batch: 1, newTokens: 64, ordinaryMemory: true }),
};

/** The shapes run when --shape is not given (GPT-2 small takes minutes per step kind). */
export const DEFAULT_SHAPES = ['issue', 'imdb'];

/** The model's sizes, as the report prints them. */
export function describeShape({ config, batch }: PeerShape) {
  const { vocabSize, contextLength, nLayer, nHead, nEmbd } = config;
  return { vocab: vocabSize, context: contextLength, layers: nLayer, heads: nHead, width: nEmbd, batch };
}
