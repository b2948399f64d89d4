import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.ts';
import { UserError } from '../../src/core/errors.ts';
import { disposeModel, loadModel, openSafetensors, parseSafetensors, serializeSafetensors } from '../../src/model/index.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

/** Splits `source`'s model.safetensors into two shards and an index in `dir` (with its config.json); returns the weight map. */
function shard(source: string, dir: string): Record<string, string> {
  copyFileSync(join(source, 'config.json'), join(dir, 'config.json'));
  const file = parseSafetensors(readFileSync(join(source, 'model.safetensors')), 'model.safetensors');
  const names = [...file.tensors.keys()];
  const half = Math.ceil(names.length / 2);
  const weightMap: Record<string, string> = {};
  names.forEach((name, i) => (weightMap[name] = i < half ? 'model-00001-of-00002.safetensors' : 'model-00002-of-00002.safetensors'));
  for (const [shardFile, part] of [['model-00001-of-00002.safetensors', names.slice(0, half)], ['model-00002-of-00002.safetensors', names.slice(half)]] as const) {
    const tensors = part.map((name) => ({ name, shape: file.tensors.get(name)!.shape, values: file.read(name) }));
    writeFileSync(join(dir, shardFile), serializeSafetensors(tensors));
  }
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
  return weightMap;
}

describe('sharded Hugging Face checkpoints', () => {
  let dir: string;
  before(async () => initBackend('wasm'));
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dpo-run-shards-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const family of ['gpt2-tiny', 'llama/untied', 'neox', 'gptj']) {
    it(`loads a ${family} model split into two shards, bit for bit`, async () => {
      shard(FIXTURES + family, dir);
      const [whole, sharded] = [await loadModel(FIXTURES + family), await loadModel(dir)];
      try {
        assert.deepEqual([...sharded.params.keys()], [...whole.params.keys()]);
        for (const [name, variable] of whole.params) assert.deepEqual(sharded.params.get(name)!.dataSync(), variable.dataSync(), name);
      } finally {
        disposeModel(whole);
        disposeModel(sharded);
      }
    });
  }

  it('names a missing shard', async () => {
    shard(FIXTURES + 'llama/untied', dir);
    unlinkSync(join(dir, 'model-00002-of-00002.safetensors'));
    await assert.rejects(loadModel(dir), (error: Error) => error instanceof UserError && /model-00002-of-00002\.safetensors/.test(error.message));
  });

  it('names a tensor the index assigns to a shard that lacks it', async () => {
    const weightMap = shard(FIXTURES + 'llama/untied', dir);
    weightMap['model.norm.weight'] = 'model-00001-of-00002.safetensors';
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: weightMap }));
    await assert.rejects(loadModel(dir), (error: Error) => error instanceof UserError && /model\.norm\.weight/.test(error.message) && /model-00001-of-00002/.test(error.message));
  });

  it('reads a tensor by its offset without reading the whole file', async () => {
    const path = join(FIXTURES, 'llama/untied/model.safetensors');
    const whole = parseSafetensors(readFileSync(path), path);
    const reader = await openSafetensors(path);
    try {
      for (const name of whole.tensors.keys()) assert.deepEqual(await reader.read(name), whole.read(name), name);
    } finally {
      await reader.close();
    }
  });
});
