import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'dpo-run.js');

const pipeline = `# yaml-language-server: $schema=../schemas/pipeline.schema.json
name: tiny
seed: 1
backend: cpu
stages:
  data:
    kind: dataset
    source: {kind: bundled, sets: [yelp]}
    limit: 40
`;

describe('dpo-run end to end', function () {
  this.timeout(60000);
  let dir: string;
  const dpoRun = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '1' } });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-e2e-'));
    writeFileSync(join(dir, 'tiny.yaml'), pipeline);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a pipeline into runs/, then finds every stage in the cache', () => {
    const first = dpoRun('tiny.yaml');
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr.split('\n')[0], /^backend: cpu/);
    const [runId] = readdirSync(join(dir, 'runs', 'tiny'));
    const manifest = JSON.parse(readFileSync(join(dir, 'runs', 'tiny', runId, 'manifest.json'), 'utf8'));
    assert.equal(manifest.status, 'done');
    assert.equal(manifest.backend.name, 'cpu');
    assert.equal(manifest.instances.data.status, 'done');
    const texts = readFileSync(join(dir, 'runs', 'tiny', runId, 'outputs', 'data', 'texts.jsonl'), 'utf8');
    assert.equal(texts.trim().split('\n').length, 40);

    const dry = dpoRun('tiny.yaml', '--dry-run');
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /data +dataset-[0-9a-f]{16} +cached/);

    const cached = dpoRun('tiny.yaml');
    assert.equal(cached.status, 0, cached.stderr);
    assert.match(cached.stderr.split('\n')[0], /^backend: none loaded/);
    const again = JSON.parse(readFileSync(join(cached.stdout.trim(), 'manifest.json'), 'utf8'));
    assert.equal(again.instances.data.status, 'cached');
    assert.equal(again.backend.name, 'cpu'); // the backend asked for, not loaded
  });

  it('exits 2 and runs nothing on an invalid --set', () => {
    const result = dpoRun('tiny.yaml', '--set', 'stages.data.limitt=3', '--runs-dir', 'other-runs');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /error\[/);
    assert.match(result.stderr, /nothing was run/);
    assert.ok(!readdirSync(dir).includes('other-runs'));
  });
});
