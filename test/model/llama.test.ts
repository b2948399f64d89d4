import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { UserError } from '../../src/core/errors.ts';
import { Random } from '../../src/core/random.ts';
import {
  buildBatch, createModel, disposeModel, fromHuggingFaceConfig, generate, lastTokenScores, loadModel, logits, parameterCount, parseSafetensors,
  resolveConfig, saveModel, sequenceLogProbs, serializeSafetensors, tokenLogProbs, trainableVariables, withScalarHead, type GPT,
} from '../../src/model/index.ts';
import { nativeCpuOrSkip, onBackend } from '../backend/compareBackends.ts';

const FIXTURES = new URL('../fixtures/llama/', import.meta.url).pathname;

interface Case {
  ids: number[][];
  attention_mask?: number[][];
  position_ids?: number[][];
  logits: number[][][];
}
interface Fixture {
  cases: Case[];
  greedy: { prompts: number[][]; tokens: number[][] };
}

/** The fixtures' logits and greedy tokens come from an independent PyTorch forward (scripts/fixtures/llamaReference.py). */
for (const variant of ['tied', 'untied'] as const) {
  describe(`Llama (${variant} output head) parity with an independent implementation`, () => {
    const dir = FIXTURES + variant;
    const fixture = JSON.parse(readFileSync(join(dir, 'logits.json'), 'utf8')) as Fixture;
    let model: GPT;

    before(async () => {
      await initBackend('wasm');
      model = await loadModel(dir);
    });
    after(() => disposeModel(model));

    it('reads the Llama settings from config.json', () => {
      const { llama } = model.config;
      assert.ok(llama);
      assert.equal(llama.nKvHead, 2);
      assert.equal(model.config.nHead, 4);
      assert.equal(llama.tieWordEmbeddings, variant === 'tied');
      assert.equal(model.params.has('lm_head.weight'), variant === 'untied');
    });

    it('matches the reference logits to 1e-4', () => {
      const { ids, logits: expected } = fixture.cases[0];
      const actual = tf.tidy(() => logits(model, tf.tensor2d(ids, undefined, 'int32')).arraySync());
      assertClose(actual, expected, () => true);
    });

    it('matches the reference logits of a left-padded row at its real positions', () => {
      const c = fixture.cases[1];
      const actual = tf.tidy(() =>
        logits(model, tf.tensor2d(c.ids, undefined, 'int32'), {
          attentionMask: tf.tensor2d(c.attention_mask!),
          positionIds: tf.tensor2d(c.position_ids!, undefined, 'int32'),
        }).arraySync(),
      );
      assertClose(actual, c.logits, (b, t) => c.attention_mask![b][t] === 1);
    });

    it('matches the reference logits on native-cpu too (the fused attention kernel)', async function () {
      nativeCpuOrSkip(this);
      await onBackend('native-cpu', async () => {
        const native = await loadModel(dir);
        try {
          for (const c of fixture.cases) {
            const actual = tf.tidy(() => logits(native, tf.tensor2d(c.ids, undefined, 'int32'), c.attention_mask ? {
              attentionMask: tf.tensor2d(c.attention_mask),
              positionIds: tf.tensor2d(c.position_ids!, undefined, 'int32'),
            } : undefined).arraySync());
            assertClose(actual, c.logits, (b, t) => !c.attention_mask || c.attention_mask[b][t] === 1);
          }
        } finally {
          disposeModel(native);
        }
      });
    });

    it('decodes greedily as the reference, with the KV cache and without', async () => {
      const { prompts, tokens } = fixture.greedy;
      const options = { maxNewTokens: tokens[0].length, temperature: 0 };
      const cached = await generate(model, prompts, { ...options, random: new Random(1) });
      const uncached = await generate(model, prompts, { ...options, random: new Random(1), useCache: false });
      assert.deepEqual(cached, tokens);
      assert.deepEqual(uncached, tokens);
    });
  });
}

describe('Llama models', () => {
  const config = resolveConfig({
    vocabSize: 29, contextLength: 24, nLayer: 2, nHead: 4, nEmbd: 16, layerNormEpsilon: 1e-6,
    llama: { intermediateSize: 24, nKvHead: 2, ropeTheta: 10000, tieWordEmbeddings: false },
  });
  let dir: string;
  before(async () => initBackend('wasm'));
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dpo-run-llama-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('samples the same tokens with and without the KV cache', async () => {
    const model = createModel(config, { seed: 4 });
    try {
      const prompts = [[1, 2, 3, 4, 5], [6], [7, 8, 9]];
      const options = { maxNewTokens: 8, temperature: 1, topK: 20 };
      const cached = await generate(model, prompts, { ...options, random: new Random(3) });
      const uncached = await generate(model, prompts, { ...options, random: new Random(3), useCache: false });
      assert.deepEqual(cached, uncached);
      assert.deepEqual(cached.map((g) => g.length), [8, 8, 8]);
    } finally {
      disposeModel(model);
    }
  });

  it('round-trips a Hugging Face folder through save and load', async () => {
    const model = createModel(config, { seed: 7 });
    try {
      await saveModel(dir, model);
      const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
      assert.equal(json.model_type, 'llama');
      assert.equal(json.num_key_value_heads, 2);
      assert.equal(json.tie_word_embeddings, false);
      const names = [...parseSafetensors(readFileSync(join(dir, 'model.safetensors')), 'model').tensors.keys()];
      assert.ok(names.includes('model.layers.1.mlp.gate_proj.weight') && names.includes('lm_head.weight'));
      const loaded = await loadModel(dir);
      try {
        assert.deepEqual(loaded.config, model.config);
        assert.equal(parameterCount(loaded), parameterCount(model));
        for (const [name, variable] of model.params) assert.deepEqual(loaded.params.get(name)!.dataSync(), variable.dataSync(), name);
      } finally {
        disposeModel(loaded);
      }
    } finally {
      disposeModel(model);
    }
  });

  it('rejects a tensor whose shape does not match the config, naming it', async () => {
    for (const file of ['config.json', 'model.safetensors']) copyFileSync(join(FIXTURES, 'tied', file), join(dir, file));
    const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...json, num_key_value_heads: 4 }));
    await assert.rejects(loadModel(dir), (error: Error) => error instanceof UserError && /model\.layers\.0\.self_attn\.k_proj\.weight/.test(error.message));
  });

  it('rejects an untied config whose file has no lm_head.weight, naming it', async () => {
    for (const file of ['config.json', 'model.safetensors']) copyFileSync(join(FIXTURES, 'tied', file), join(dir, file));
    const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...json, tie_word_embeddings: false }));
    await assert.rejects(loadModel(dir), (error: Error) => error instanceof UserError && /lm_head\.weight/.test(error.message));
  });

  it('skips rotary inv_freq buffers and a tied copy of lm_head.weight', async () => {
    const file = parseSafetensors(readFileSync(join(FIXTURES, 'tied', 'model.safetensors')), 'model');
    const tensors = [...file.tensors.entries()].map(([name, info]) => ({ name, shape: info.shape, values: file.read(name) }));
    tensors.push({ name: 'lm_head.weight', shape: [64, 32], values: file.read('model.embed_tokens.weight') });
    tensors.push({ name: 'model.layers.0.self_attn.rotary_emb.inv_freq', shape: [4], values: new Float32Array(4) });
    writeFileSync(join(dir, 'model.safetensors'), serializeSafetensors(tensors));
    copyFileSync(join(FIXTURES, 'tied', 'config.json'), join(dir, 'config.json'));
    const model = await loadModel(dir);
    assert.equal(model.params.has('lm_head.weight'), false);
    disposeModel(model);
  });

  it('rejects configs it cannot compute, with the file named', () => {
    const base = { model_type: 'llama', vocab_size: 32, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 1, num_attention_heads: 4, max_position_embeddings: 16 };
    const rejects = (json: Record<string, unknown>, pattern: RegExp) =>
      assert.throws(() => fromHuggingFaceConfig(json, 'x/config.json'), (e: Error) => e instanceof UserError && /x\/config\.json/.test(e.message) && pattern.test(e.message));
    rejects({ ...base, num_key_value_heads: 3 }, /nKvHead/);
    rejects({ ...base, rope_scaling: { type: 'linear', factor: 2 } }, /rope_scaling/);
    rejects({ ...base, hidden_act: 'gelu' }, /hidden_act/);
    rejects({ ...base, attention_bias: true }, /attention_bias/);
    rejects({ ...base, model_type: 'mistral' }, /model_type/);
    const plain = fromHuggingFaceConfig(base, 'x/config.json'); // transformers' defaults: num_key_value_heads = heads, untied, theta 10000
    assert.deepEqual(plain.llama, { intermediateSize: 24, nKvHead: 4, ropeTheta: 10000, tieWordEmbeddings: false });
  });

  it('round-trips a scalar head (LlamaForSequenceClassification) and scores the last real token', async () => {
    const model = withScalarHead(createModel(config, { seed: 3 }), 5);
    try {
      await saveModel(dir, model);
      assert.deepEqual(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).architectures, ['LlamaForSequenceClassification']);
      const loaded = await loadModel(dir);
      const ids = tf.tensor2d([[1, 2, 3], [4, 5, 0]], undefined, 'int32');
      const mask = tf.tensor2d([[1, 1, 1], [1, 1, 0]]);
      assert.deepEqual(lastTokenScores(loaded, ids, mask).dataSync(), lastTokenScores(model, ids, mask).dataSync());
      tf.dispose([ids, mask]);
      disposeModel(loaded);
    } finally {
      disposeModel(model);
    }
  });

  it('does not grow tensor memory over training steps with dropout and generation calls', async () => {
    const model = createModel(resolveConfig({ ...config, dropout: 0.1 }), { seed: 6 });
    const optimizer = tf.train.adam(1e-3);
    const random = new Random(2);
    const step = () => {
      const batch = buildBatch([[1, 2], [3, 4, 5]], [[6, 7, 8], [9, 10]], 0);
      const { value, grads } = tf.variableGrads(() => sequenceLogProbs(model, batch, { training: true, random }).logps.sum().neg() as tf.Scalar, trainableVariables(model));
      optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      tf.dispose([value, ...Object.values(grads), ...Object.values(batch)]);
    };
    try {
      step();
      await generate(model, [[1, 2, 3], [4]], { maxNewTokens: 4, temperature: 1, random });
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      await generate(model, [[1, 2, 3], [4]], { maxNewTokens: 4, temperature: 1, random });
      assert.equal(tf.memory().numTensors, before);
    } finally {
      optimizer.dispose();
      disposeModel(model);
    }
  });

  it('gives sequence log-probabilities and their gradients for training', () => {
    const model = createModel(config, { seed: 2 });
    try {
      const batch = buildBatch([[1, 2, 3], [4, 5]], [[6, 7], [8, 9, 10]], 0);
      const { value, grads } = tf.variableGrads(() => sequenceLogProbs(model, batch).logps.sum().neg() as tf.Scalar);
      assert.ok(Number.isFinite(value.dataSync()[0]));
      assert.equal(Object.keys(grads).length, model.params.size);
      const perToken = tf.tidy(() => tokenLogProbs(model, batch).arraySync());
      assert.equal(perToken[0].length, 4);
      tf.dispose([value, ...Object.values(grads)]);
    } finally {
      disposeModel(model);
    }
  });
});

function assertClose(actual: number[][][], expected: number[][][], compared: (b: number, t: number) => boolean): void {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let b = 0; b < expected.length; b++) {
    for (let t = 0; t < expected[b].length; t++) {
      if (!compared(b, t)) continue;
      for (let v = 0; v < expected[b][t].length; v++) worst = Math.max(worst, Math.abs(actual[b][t][v] - expected[b][t][v]));
    }
  }
  assert.ok(worst < 1e-4, `largest difference ${worst}`);
}
