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
  resolveConfig, saveModel, sequenceLogProbs, serializeSafetensors, withScalarHead, type GPT,
} from '../../src/model/index.ts';
import { parameterCountOf } from '../../src/model/memoryEstimate.ts';
import { nativeCpuOrSkip, onBackend } from '../backend/compareBackends.ts';

const FIXTURE = new URL('../fixtures/gptj/', import.meta.url).pathname;

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

/** The fixture's logits and greedy tokens come from an independent PyTorch forward (scripts/fixtures/gptjReference.py). */
describe('GPT-J parity with an independent implementation', () => {
  const fixture = JSON.parse(readFileSync(join(FIXTURE, 'logits.json'), 'utf8')) as Fixture;
  let model: GPT;

  before(async () => {
    await initBackend('wasm');
    model = await loadModel(FIXTURE);
  });
  after(() => disposeModel(model));

  it('reads the GPT-J settings from config.json', () => {
    assert.deepEqual(model.config.gptj, { intermediateSize: 128, rotaryDim: 4 }); // n_inner null: 4 n_embd
    assert.equal(model.config.nHead, 4);
    assert.ok(model.params.has('lm_head.weight') && model.params.has('lm_head.bias'));
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

  it('matches the reference logits on native-cpu too (the fused kernels)', async function () {
    nativeCpuOrSkip(this);
    await onBackend('native-cpu', async () => {
      const native = await loadModel(FIXTURE);
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

describe('GPT-J models', () => {
  const config = resolveConfig({
    vocabSize: 29, contextLength: 24, nLayer: 2, nHead: 4, nEmbd: 16,
    gptj: { intermediateSize: 40, rotaryDim: 2 },
  });
  let dir: string;
  before(async () => initBackend('wasm'));
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dpo-run-gptj-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const rotaryDim of [2, 4]) {
    it(`samples the same tokens with and without the KV cache (rotary on ${rotaryDim} of 4 dimensions)`, async () => {
      const model = createModel(resolveConfig({ ...config, gptj: { ...config.gptj!, rotaryDim } }), { seed: 4 });
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
  }

  it('round-trips a Hugging Face folder through save and load', async () => {
    const model = createModel(config, { seed: 7 });
    try {
      await saveModel(dir, model);
      const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
      assert.equal(json.model_type, 'gptj');
      assert.deepEqual(json.architectures, ['GPTJForCausalLM']);
      assert.equal(json.rotary_dim, 2);
      assert.equal(json.n_inner, 40);
      assert.equal(json.tie_word_embeddings, false);
      const names = [...parseSafetensors(readFileSync(join(dir, 'model.safetensors')), 'model').tensors.keys()];
      assert.ok(names.includes('transformer.h.1.attn.q_proj.weight') && names.includes('lm_head.weight') && names.includes('lm_head.bias'));
      assert.ok(!names.some((name) => /attn\.\w+_proj\.bias$/.test(name)), 'GPT-J attention has no biases');
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
    for (const file of ['config.json', 'model.safetensors']) copyFileSync(join(FIXTURE, file), join(dir, file));
    const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...json, n_inner: 96 }));
    await assert.rejects(loadModel(dir), (error: Error) => error instanceof UserError && /transformer\.h\.0\.mlp\.fc_in\.weight/.test(error.message));
  });

  it('skips the attention mask buffers transformers saved', async () => {
    const file = parseSafetensors(readFileSync(join(FIXTURE, 'model.safetensors')), 'model');
    const tensors = [...file.tensors.entries()].map(([name, info]) => ({ name, shape: info.shape, values: file.read(name) }));
    tensors.push({ name: 'transformer.h.0.attn.bias', shape: [1, 1, 32, 32], values: new Float32Array(32 * 32) });
    tensors.push({ name: 'transformer.h.1.attn.masked_bias', shape: [], values: new Float32Array(1) });
    writeFileSync(join(dir, 'model.safetensors'), serializeSafetensors(tensors));
    copyFileSync(join(FIXTURE, 'config.json'), join(dir, 'config.json'));
    const model = await loadModel(dir);
    assert.equal(model.params.size, file.tensors.size);
    disposeModel(model);
  });

  it('rejects configs it cannot compute, with the file named', () => {
    const base = { model_type: 'gptj', vocab_size: 32, n_embd: 32, n_layer: 1, n_head: 4, n_positions: 16, rotary_dim: 4 };
    const rejects = (json: Record<string, unknown>, pattern: RegExp) =>
      assert.throws(() => fromHuggingFaceConfig(json, 'x/config.json'), (e: Error) => e instanceof UserError && /x\/config\.json/.test(e.message) && pattern.test(e.message));
    rejects({ ...base, activation_function: 'relu' }, /activation_function/);
    rejects({ ...base, tie_word_embeddings: true }, /tie_word_embeddings/);
    rejects({ ...base, rotary_dim: null }, /rotary_dim/);
    rejects({ ...base, rotary_dim: 3 }, /rotary/); // odd
    rejects({ ...base, rotary_dim: 16 }, /rotary/); // more than the head size 8
    const plain = fromHuggingFaceConfig({ ...base, n_inner: null }, 'x/config.json'); // n_inner null: 4 n_embd
    assert.deepEqual(plain.gptj, { intermediateSize: 128, rotaryDim: 4 });
    rejects({ ...base, rotary_dim: undefined }, /rotary/); // absent: transformers' default 64, more than the head size
  });

  it('reads GPT-J 6B\'s config.json as transformers wrote it', () => {
    const json = {
      activation_function: 'gelu_new', architectures: ['GPTJForCausalLM'], attn_pdrop: 0.0, bos_token_id: 50256, embd_pdrop: 0.0, eos_token_id: 50256,
      gradient_checkpointing: false, initializer_range: 0.02, layer_norm_epsilon: 1e-5, model_type: 'gptj', n_embd: 4096, n_head: 16, n_inner: null,
      n_layer: 28, n_positions: 2048, resid_pdrop: 0.0, rotary: true, rotary_dim: 64, scale_attn_weights: true, tie_word_embeddings: false,
      tokenizer_class: 'GPT2Tokenizer', torch_dtype: 'float32', use_cache: true, vocab_size: 50400,
    };
    const config = fromHuggingFaceConfig(json, 'gpt-j-6b/config.json');
    assert.deepEqual(config, {
      vocabSize: 50400, contextLength: 2048, nLayer: 28, nHead: 16, nEmbd: 4096, dropout: 0, layerNormEpsilon: 1e-5,
      gptj: { intermediateSize: 16384, rotaryDim: 64 },
    });
    assert.equal(parameterCountOf(config, false), 6_050_882_784);
  });

  it('round-trips a scalar head (GPTJForSequenceClassification) and scores the last real token', async () => {
    const model = withScalarHead(createModel(config, { seed: 3 }), 5);
    try {
      await saveModel(dir, model);
      assert.deepEqual(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).architectures, ['GPTJForSequenceClassification']);
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

  it('gives sequence log-probabilities and gradients for every parameter, with dropout too', () => {
    const model = createModel(resolveConfig({ ...config, dropout: 0.1 }), { seed: 2 });
    try {
      const batch = buildBatch([[1, 2, 3], [4, 5]], [[6, 7], [8, 9, 10]], 0);
      for (const training of [false, true]) {
        const { value, grads } = tf.variableGrads(() => sequenceLogProbs(model, batch, { training, random: new Random(1) }).logps.sum().neg() as tf.Scalar);
        assert.ok(Number.isFinite(value.dataSync()[0]));
        assert.equal(Object.keys(grads).length, model.params.size);
        for (const [name, grad] of Object.entries(grads)) assert.ok(grad.abs().sum().dataSync()[0] > 0, `no gradient for ${name}`);
        tf.dispose([value, ...Object.values(grads)]);
      }
      tf.dispose(Object.values(batch));
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
