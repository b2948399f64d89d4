import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.ts';
import {
  createModel, disposeModel, hashWeights, loadModel, parameterCount, parseSafetensors, planShards, resolveConfig, saveModel,
  shardFileName, weightFilesOf, type GPTConfig,
} from '../../src/model/index.ts';

const shared = { vocabSize: 29, contextLength: 16, nLayer: 2, nHead: 4, nEmbd: 16 };
const FAMILIES: Record<string, Partial<GPTConfig>> = {
  'GPT-2': shared,
  Llama: { ...shared, llama: { intermediateSize: 24, nKvHead: 2, ropeTheta: 10000, tieWordEmbeddings: false } },
  'GPT-NeoX': { ...shared, neox: { intermediateSize: 40, rotaryPct: 0.5, rotaryEmbBase: 10000, useParallelResidual: true } },
  'GPT-J': { ...shared, gptj: { intermediateSize: 40, rotaryDim: 2 } },
};

describe('writing sharded Hugging Face checkpoints', () => {
  let dir: string;
  before(async () => initBackend('wasm'));
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dpo-run-shard-write-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('plans shards as huggingface_hub does: in order, a tensor past the limit alone, a new shard where one would tip over', () => {
    const tensors = [['a', 4], ['b', 4], ['c', 10], ['d', 3], ['e', 2]].map(([name, bytes]) => ({ name: name as string, bytes: bytes as number }));
    assert.deepEqual(planShards(tensors, 8), [['c'], ['a', 'b'], ['d', 'e']]);
    assert.deepEqual(planShards(tensors, 100), [['a', 'b', 'c', 'd', 'e']]);
    assert.equal(shardFileName(0, 3), 'model-00001-of-00003.safetensors');
    assert.equal(shardFileName(11, 12), 'model-00012-of-00012.safetensors');
  });

  for (const [family, config] of Object.entries(FAMILIES)) {
    it(`writes a ${family} model past the shard size as shards with an index, and reloads it bit for bit`, async () => {
      const model = createModel(resolveConfig(config), { seed: 3 });
      try {
        const totalSize = 4 * parameterCount(model);
        const maxShardBytes = Math.ceil(totalSize / 3);
        await saveModel(dir, model, undefined, { maxShardBytes });
        assert.ok(!existsSync(join(dir, 'model.safetensors')));
        const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
        assert.deepEqual(Object.keys(index), ['metadata', 'weight_map']);
        assert.deepEqual(index.metadata, { total_size: totalSize });
        const names = Object.keys(index.weight_map);
        assert.deepEqual(names, [...model.params.keys()].sort(), 'every parameter, keys sorted');
        const files = [...new Set(Object.values(index.weight_map) as string[])].sort();
        assert.ok(files.length >= 3, `${files.length} shards`);
        assert.deepEqual(files, files.map((_, i) => shardFileName(i, files.length)));
        assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort(), files);
        for (const file of files) {
          const shard = parseSafetensors(readFileSync(join(dir, file)), file);
          assert.deepEqual([...shard.tensors.keys()].sort(), names.filter((n) => index.weight_map[n] === file));
          const bytes = [...shard.tensors.values()].reduce((sum, t) => sum + t.end - t.begin, 0);
          assert.ok(bytes <= maxShardBytes || shard.tensors.size === 1, `${file}: ${bytes} bytes`);
          assert.equal(shard.metadata.format, 'pt');
        }
        const loaded = await loadModel(dir);
        try {
          assert.deepEqual(loaded.config, model.config);
          assert.deepEqual([...loaded.params.keys()], [...model.params.keys()]);
          for (const [name, variable] of model.params) assert.deepEqual(loaded.params.get(name)!.dataSync(), variable.dataSync(), name);
        } finally {
          disposeModel(loaded);
        }
      } finally {
        disposeModel(model);
      }
    });
  }

  it('writes one model.safetensors below the shard size (by default, transformers\' 5 GB)', async () => {
    const model = createModel(resolveConfig(FAMILIES['GPT-J']), { seed: 1 });
    try {
      await saveModel(dir, model);
      assert.deepEqual(await weightFilesOf(dir), ['model.safetensors']);
      assert.ok(!existsSync(join(dir, 'model.safetensors.index.json')));
    } finally {
      disposeModel(model);
    }
  });

  it('leaves no weight files of an earlier save behind, sharded over whole and whole over sharded', async () => {
    const model = createModel(resolveConfig(FAMILIES.Llama), { seed: 2 });
    try {
      const maxShardBytes = Math.ceil((4 * parameterCount(model)) / 2);
      await saveModel(dir, model);
      await saveModel(dir, model, undefined, { maxShardBytes });
      const sharded = await weightFilesOf(dir);
      assert.equal(sharded[0], 'model.safetensors.index.json');
      assert.ok(!existsSync(join(dir, 'model.safetensors')));
      const digest = async () => { const hash = createHash('sha256'); await hashWeights(dir, hash); return hash.digest('hex'); };
      const shardedDigest = await digest();
      await saveModel(dir, model, undefined, { maxShardBytes });
      assert.equal(await digest(), shardedDigest, 'the same model writes the same shards');
      await saveModel(dir, model);
      assert.deepEqual(readdirSync(dir).filter((f) => f.includes('safetensors')), ['model.safetensors']);
      const loaded = await loadModel(dir);
      disposeModel(loaded);
    } finally {
      disposeModel(model);
    }
  });
});
