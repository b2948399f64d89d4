import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { initBackend } from '../../src/backend/index.ts';
import { createModel, disposeModel, resolveConfig, saveModel } from '../../src/model/index.ts';
import { buildTokenizer } from '../../src/tokenizer/index.ts';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'dpo-run.js');

/** An sft stage started from a GPT-J folder (`init:`) trains, samples and saves a GPT-J folder, through the real CLI. */
describe('an sft stage on a GPT-J model folder, through the CLI', function () {
  this.timeout(180000);
  let root: string;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'dpo-run-gptj-sft-'));
    await initBackend('wasm');
    const tokenizer = buildTokenizer({ kind: 'word', vocabSize: 120, lowercase: true, splitPunctuation: true }, [
      'the food was great and the service was good', 'the place was bad and the food was cold', 'i loved it', 'i hated it',
    ]);
    const config = resolveConfig({
      vocabSize: tokenizer.vocabSize, contextLength: 32, nLayer: 1, nHead: 4, nEmbd: 16,
      gptj: { intermediateSize: 32, rotaryDim: 2 },
    });
    const model = createModel(config, { seed: 1 });
    await saveModel(join(root, 'init'), model, tokenizer.toJSON());
    disposeModel(model);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('trains, samples and writes a GPT-J folder', () => {
    const pipeline = `name: gptj
seed: 0
backend: wasm
stages:
  data:
    kind: dataset
    source: {kind: bundled, sets: [yelp]}
    limit: 80
    split: {test_fraction: 0.25}
  sft:
    kind: sft
    data: data
    init: ${join(root, 'init')}
    train: {lr: 0.003, batch_size: 8, max_steps: 4, eval_every: 2, eval_size: 8, log_every: 1}
    samples: {count: 2, sampling: {max_new_tokens: 6}}
`;
    writeFileSync(join(root, 'gptj.yaml'), pipeline);
    const result = spawnSync(process.execPath, [bin, join(root, 'gptj.yaml'), '--runs-dir', join(root, 'runs')], {
      encoding: 'utf8',
      env: { ...process.env, CI: '1' },
    });
    assert.equal(result.status, 0, result.stderr);
    const [runId] = readdirSync(join(root, 'runs', 'gptj'));
    const sft = join(root, 'runs', 'gptj', runId, 'outputs', 'sft');
    const rows: Record<string, string>[] = parse(readFileSync(join(sft, 'metrics.csv'), 'utf8'), { columns: true });
    assert.ok(rows.length > 0 && rows.filter((r) => r.loss !== '').every((r) => Number.isFinite(Number(r.loss))));
    assert.ok(existsSync(join(sft, 'samples.jsonl')));
    const config = JSON.parse(readFileSync(join(sft, 'model', 'config.json'), 'utf8'));
    assert.equal(config.model_type, 'gptj');
    assert.equal(config.rotary_dim, 2);
    for (const key of ['bos_token_id', 'eos_token_id', 'pad_token_id']) assert.ok(Number.isInteger(config[key]), key); // the tokenizer's, as every family writes them
  });
});
