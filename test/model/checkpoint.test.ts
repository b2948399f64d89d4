import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { UserError } from '../../src/core/errors.ts';
import {
  buildBatch, createModel, disposeModel, lastTokenScores, loadModel, logits, parseSafetensors, resolveConfig, saveModel, scores,
  withScalarHead,
} from '../../src/model/index.ts';
import { buildTokenizer } from '../../src/tokenizer/index.ts';

const config = resolveConfig({ vocabSize: 23, contextLength: 12, nLayer: 2, nHead: 2, nEmbd: 8 });

describe('model checkpoints', () => {
  let dir: string;
  before(async () => {
    await initBackend('wasm');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-checkpoint-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('saves a model that loads back with the same logits', async () => {
    const model = createModel(config, { seed: 1 });
    const tokenizer = buildTokenizer({ kind: 'char' }, ['a']);
    await saveModel(dir, model, tokenizer.toJSON());
    assert.deepEqual(readdirSync(dir).sort(), ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    const loaded = await loadModel(dir);
    const ids = tf.tensor2d([[1, 2, 3, 4], [5, 6, 7, 22]], undefined, 'int32');
    const [a, b] = tf.tidy(() => [logits(model, ids).arraySync(), logits(loaded, ids).arraySync()]);
    assert.deepEqual(a, b);
    assert.deepEqual(loaded.config, config);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), tokenizer.toJSON());
    tf.dispose(ids);
    disposeModel(model);
    disposeModel(loaded);
  });

  it('writes the Hugging Face GPT-2 config keys and tensor names', async () => {
    const model = createModel(config, { seed: 2 });
    await saveModel(dir, model);
    const hf = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(hf.model_type, 'gpt2');
    assert.deepEqual(hf.architectures, ['GPT2LMHeadModel']);
    assert.deepEqual([hf.vocab_size, hf.n_positions, hf.n_embd, hf.n_layer, hf.n_head, hf.layer_norm_epsilon], [23, 12, 8, 2, 2, 1e-5]);
    const file = parseSafetensors(readFileSync(join(dir, 'model.safetensors')), 'model.safetensors');
    assert.deepEqual(file.tensors.get('transformer.h.1.attn.c_attn.weight')!.shape, [8, 24]);
    assert.deepEqual(file.tensors.get('transformer.h.0.mlp.c_fc.weight')!.shape, [8, 32]);
    assert.deepEqual(file.tensors.get('transformer.wte.weight')!.shape, [23, 8]);
    assert.equal(file.tensors.size, 2 + 12 * 2 + 2);
    assert.equal(readdirSync(dir).filter((f) => f.includes('.tmp')).length, 0);
    disposeModel(model);
  });

  it('keeps a scalar head as score.weight and GPT2ForSequenceClassification', async () => {
    const model = withScalarHead(createModel(config, { seed: 3 }), 4);
    await saveModel(dir, model);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).architectures, ['GPT2ForSequenceClassification']);
    const loaded = await loadModel(dir);
    assert.equal(loaded.scalarHead, true);
    const ids = tf.tensor2d([[1, 2, 3]], undefined, 'int32');
    const [a, b] = tf.tidy(() => [scores(model, ids).arraySync(), scores(loaded, ids).arraySync()]);
    assert.deepEqual(a, b);
    tf.dispose(ids);
    disposeModel(model);
    disposeModel(loaded);
  });

  it('rejects a folder whose weights do not fit its config, naming the tensor', async () => {
    const model = createModel(config, { seed: 5 });
    await saveModel(dir, model);
    disposeModel(model);
    const hf = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...hf, n_embd: 16 }));
    await assert.rejects(loadModel(dir), (error: Error) => error instanceof UserError && /transformer\.wte\.weight/.test(error.message));
  });

  it('rejects a folder without config.json', async () => {
    await assert.rejects(loadModel(dir), UserError);
  });
});

describe('scalar head', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('reads each row at its last real token', () => {
    const model = withScalarHead(createModel(config, { seed: 6 }), 7);
    const batch = buildBatch([[1, 2], [3]], [[4], [5, 6, 7]], 0);
    const [last, all] = tf.tidy(() => [
      lastTokenScores(model, batch.ids, batch.attentionMask).arraySync(),
      scores(model, batch.ids, { attentionMask: batch.attentionMask }).arraySync(),
    ]);
    assert.deepEqual(last, [all[0][2], all[1][3]]);
    tf.dispose(batch);
    disposeModel(model);
  });
});
