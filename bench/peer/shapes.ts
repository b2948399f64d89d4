/**
 * The models `npm run bench:peer` measures: the CPU-speed issue's model (vocabulary 2,048,
 * context 64, width 128, 4 layers, 4 heads, batch 8) and the sft model of
 * pipelines/imdb.yaml with its train.batch_size (read from the file, so the figures follow it).
 */
import { resolveConfig, type GPTConfig } from '../../src/model/index.ts';
import { imdbShape } from '../modelShapes.ts';

export interface PeerShape {
  name: string;
  config: GPTConfig;
  /** Sequences per SFT step, pairs per DPO step, prompts per generation call. */
  batch: number;
}

export const PEER_SHAPES: Record<string, () => PeerShape> = {
  issue: () => ({ name: 'issue', config: resolveConfig({ vocabSize: 2048, contextLength: 64, nLayer: 4, nHead: 4, nEmbd: 128 }), batch: 8 }),
  imdb: () => {
    const { config, batchSize } = imdbShape();
    return { name: 'imdb', config, batch: batchSize };
  },
};

/** The model's sizes, as the report prints them. */
export function describeShape({ config, batch }: PeerShape) {
  const { vocabSize, contextLength, nLayer, nHead, nEmbd } = config;
  return { vocab: vocabSize, context: contextLength, layers: nLayer, heads: nHead, width: nEmbd, batch };
}
