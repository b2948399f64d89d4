/**
 * Writes a randomly initialised GPT-2 as a Hugging Face folder (config.json,
 * model.safetensors, tokenizer.json with GPT-2's own byte-level BPE), GPT-2 small's shape
 * by default: 124M parameters, vocabulary 50,257, context 1024, 12 layers, 12 heads, width
 * 768. For trying a pipeline at a real model's size where the weights cannot be
 * downloaded (pipelines/imdb-gpt2.yaml); the text it writes is noise.
 * Usage: npx tsx scripts/randomGpt2Folder.ts DIR [--layers 12] [--heads 12] [--width 768] [--context 1024] [--seed 0]
 */
import { parseArgs } from 'node:util';
import { initBackend } from '../src/backend/index.ts';
import { createModel, disposeModel, parameterCount, resolveConfig, saveModel } from '../src/model/index.ts';
import { buildTokenizer } from '../src/tokenizer/index.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    layers: { type: 'string', default: '12' },
    heads: { type: 'string', default: '12' },
    width: { type: 'string', default: '768' },
    context: { type: 'string', default: '1024' },
    seed: { type: 'string', default: '0' },
  },
});
const [dir] = positionals;
if (!dir || positionals.length > 1) {
  console.error('usage: npx tsx scripts/randomGpt2Folder.ts DIR [--layers N] [--heads N] [--width N] [--context N] [--seed N]');
  process.exit(2);
}
await initBackend('auto');
const tokenizer = buildTokenizer({ kind: 'gpt2' }, []);
const config = resolveConfig(
  { vocabSize: tokenizer.vocabSize, contextLength: Number(values.context), nLayer: Number(values.layers), nHead: Number(values.heads), nEmbd: Number(values.width) },
  'scripts/randomGpt2Folder.ts',
);
const model = createModel(config, { seed: Number(values.seed) });
await saveModel(dir, model, tokenizer.toJSON());
console.error(`wrote ${dir}: a random GPT-2 of ${parameterCount(model)} parameters`);
disposeModel(model);
