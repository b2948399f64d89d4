import assert from 'node:assert/strict';
import { resolveConfig } from '../../src/model/config.ts';
import { defaultRotaryDim, familyKeyProblems, llamaIntermediateSize, scratchConfig } from '../../src/model/scratchConfig.ts';

describe('a model trained from scratch, by family', () => {
  const shape = { n_layer: 2, n_head: 4, n_embd: 64, context_length: 32 };

  it('is GPT-2 when it names no family', () => {
    assert.deepEqual(scratchConfig(shape, 100), { vocabSize: 100, contextLength: 32, nLayer: 2, nHead: 4, nEmbd: 64, dropout: 0, layerNormEpsilon: 1e-5 });
  });

  it("fills each family's defaults: Llama's 8/3 MLP and n_head kv heads, Pythia's 4C MLP, rotary_pct 0.25 and parallel residual, GPT-J's quarter-head rotary_dim", () => {
    assert.deepEqual(scratchConfig({ ...shape, family: 'llama' }, 100).llama, { intermediateSize: 176, nKvHead: 4, ropeTheta: 10000, tieWordEmbeddings: false });
    assert.deepEqual(scratchConfig({ ...shape, family: 'gpt_neox' }, 100).neox, { intermediateSize: 256, rotaryPct: 0.25, rotaryEmbBase: 10000, useParallelResidual: true });
    assert.deepEqual(scratchConfig({ ...shape, family: 'gptj' }, 100).gptj, { intermediateSize: 256, rotaryDim: 4 });
    for (const family of ['llama', 'gpt_neox', 'gptj'] as const) resolveConfig(scratchConfig({ ...shape, family }, 100));
  });

  it("keeps the family's settings given", () => {
    const given = { intermediate_size: 100, n_kv_head: 2, rotary_pct: 0.5, parallel_residual: false, rotary_dim: 8 };
    assert.deepEqual(scratchConfig({ ...shape, family: 'llama', ...given }, 100).llama, { intermediateSize: 100, nKvHead: 2, ropeTheta: 10000, tieWordEmbeddings: false });
    assert.deepEqual(scratchConfig({ ...shape, family: 'gpt_neox', ...given }, 100).neox, { intermediateSize: 100, rotaryPct: 0.5, rotaryEmbBase: 10000, useParallelResidual: false });
    assert.deepEqual(scratchConfig({ ...shape, family: 'gptj', ...given }, 100).gptj, { intermediateSize: 100, rotaryDim: 8 });
  });

  it("gives GPT-J 6B's rotary_dim for its head size, and Llama's MLP width with multiple_of 8", () => {
    assert.equal(defaultRotaryDim(256), 64);
    assert.deepEqual([2, 4, 8, 12, 16].map(defaultRotaryDim), [2, 2, 2, 4, 4]);
    assert.equal(llamaIntermediateSize(4096), 10928); // int(2 * 4 * 4096 / 3) = 10922, up to a multiple of 8
    assert.equal(llamaIntermediateSize(48), 128);
  });

  it('names each setting given to another family, and whose it is', () => {
    assert.deepEqual(familyKeyProblems({ ...shape, family: 'llama', n_kv_head: 2, intermediate_size: 8 }), []);
    assert.deepEqual(familyKeyProblems({ ...shape, rotary_dim: 4 }).map((p) => p.key), ['rotary_dim']);
    const [problem] = familyKeyProblems({ ...shape, family: 'gptj', rotary_pct: 0.5 });
    assert.equal(problem.key, 'rotary_pct');
    assert.match(problem.message, /family gpt_neox only.*family is gptj/);
    assert.deepEqual(familyKeyProblems({ ...shape, family: 'bert', rotary_dim: 4 }), [], 'an unknown family is the schema enum\'s to report');
  });
});
