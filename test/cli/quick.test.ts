import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'dpo-run.js');

describe('pipelines/quick.yaml through the CLI', function () {
  this.timeout(120000);
  let runsDir: string;
  before(() => {
    runsDir = mkdtempSync(join(tmpdir(), 'dpo-run-quick-'));
  });
  after(() => rmSync(runsDir, { recursive: true, force: true }));

  it('trains the tiny sft model to a lower held-out loss and writes its model, samples and summary', () => {
    const result = spawnSync(process.execPath, [bin, join(root, 'pipelines', 'quick.yaml'), '--runs-dir', runsDir], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, CI: '1' },
    });
    assert.equal(result.status, 0, result.stderr);
    const [runId] = readdirSync(join(runsDir, 'quick'));
    const run = join(runsDir, 'quick', runId);
    const manifest = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8'));
    assert.equal(manifest.instances.sft.status, 'done');

    const sft = join(run, 'outputs', 'sft');
    const rows: Record<string, string>[] = parse(readFileSync(join(sft, 'metrics.csv'), 'utf8'), { columns: true });
    const evals = rows.filter((r) => r['eval/loss'] !== '').map((r) => ({ step: Number(r.step), loss: Number(r['eval/loss']) }));
    assert.equal(evals[0].step, 0);
    assert.ok(evals.at(-1)!.step > 0);
    assert.ok(evals.at(-1)!.loss < evals[0].loss, `held-out loss ${evals[0].loss} -> ${evals.at(-1)!.loss}`);

    for (const file of ['model/config.json', 'model/model.safetensors', 'model/tokenizer.json', 'samples.jsonl', 'summary.json']) {
      assert.ok(existsSync(join(sft, file)), file);
    }
    const summary = JSON.parse(readFileSync(join(sft, 'summary.json'), 'utf8'));
    assert.equal(summary.eval_loss, evals.at(-1)!.loss);
  });
});
