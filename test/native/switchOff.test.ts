/**
 * The sequence of the old wasm crash (issue 13): a native SFT step, native generation, the
 * native kernels switched off (unregisterNativeKernels), then a stock SFT step, in one
 * process. It crashed inside the wasm allocator once that process's heap reached the 4 GB
 * ceiling (the bench's GPT-2-width model), where emmalloc hands out regions past the end of
 * memory; the heap guard (src/backend/kernels/heapGuard.ts) now stops such an allocation
 * with an error first, and the heap-ceiling test (test/backend/heapGuard.test.ts) checks
 * that. Here the sequence runs on the imdb.yaml model in a fresh process: it must finish,
 * give the stock steps the native steps' losses (two AdamW steps, 1e-4), and leave no tensors behind.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadAddon } from '../../src/backend/native/addon.ts';

const root = join(import.meta.dirname, '..', '..');

const script = `
  import * as tf from '@tensorflow/tfjs';
  import { initBackend } from './src/backend/index.ts';
  import { unregisterNativeKernels } from './src/backend/native/index.ts';
  import { createModel, disposeModel, generate, tokenLogProbs } from './src/model/index.ts';
  import { Random } from './src/core/random.ts';
  import { exampleBatch, disposeBatch } from './src/sft/examples.ts';
  import { languageModelLoss } from './src/losses/languageModel.ts';
  import { disposeGradients, modelGradients } from './src/training/gradients.ts';
  import { createOptimizer } from './src/training/optimizer.ts';
  import { imdbShape } from './bench/modelShapes.ts';
  const choice = await initBackend('wasm');
  const { config, batchSize: B, sequenceLength: T } = imdbShape();
  const sftStep = () => {
    const random = new Random(0);
    const model = createModel(config, { seed: 0 });
    const optimizer = createOptimizer({ name: 'adamw', weight_decay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const batch = exampleBatch(Array.from({ length: B }, () => ({ ids: Array.from({ length: T }, () => random.int(config.vocabSize)), lossFrom: 1 })), 0);
    const losses = [0, 1].map(() => {
      const { loss, grads } = modelGradients([model], () => languageModelLoss(tokenLogProbs(model, { ids: batch.ids }, { training: false }), batch.lossMask));
      optimizer.step(model.params, grads, 1e-3);
      disposeGradients(grads);
      return loss;
    });
    disposeBatch(batch); optimizer.dispose(); disposeModel(model);
    return losses;
  };
  const native = sftStep();
  const model = createModel(config, { seed: 1 });
  const tokens = await generate(model, [[1, 2, 3, 4], [5, 6]], { temperature: 1, maxNewTokens: 12, random: new Random(2) });
  disposeModel(model);
  unregisterNativeKernels();
  const stock = sftStep();
  console.log(JSON.stringify({ native, stock, generated: tokens.map((t) => t.length), tensors: tf.memory().numTensors, kernels: choice.native?.loaded }));`;

describe('native kernels switched off mid-process', function () {
  this.timeout(180000);
  before(function () {
    const loaded = loadAddon();
    if (!loaded.addon) {
      console.log(`      skipping: ${loaded.reason}`);
      this.skip();
    }
  });

  it('run a native SFT step, native generation, then stock SFT steps with the same losses, in one process', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr.slice(-3000));
    const out = JSON.parse(result.stdout.trim().split('\n').pop()!);
    assert.equal(out.kernels, true);
    out.native.forEach((loss: number, i: number) => assert.ok(Math.abs(loss - out.stock[i]) <= 1e-4, `step ${i}: native ${loss}, stock ${out.stock[i]}`));
    assert.deepEqual(out.generated, [12, 12]);
    assert.equal(out.tensors, 0);
  });
});
