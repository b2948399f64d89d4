import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { executePlan, type ExecuteOptions } from '../../src/executor/index.ts';
import { checkEntry, ENTRY_FILE } from '../../src/executor/cache.ts';
import { codeHash, PROJECT_ROOT, projectCodeHash } from '../../src/executor/codeHash.ts';
import { fingerprintOf } from '../../src/executor/fingerprint.ts';
import { markAbandonedRuns } from '../../src/executor/manifest.ts';
import { scheduleRun } from '../../src/executor/schedule.ts';
import { stageKinds } from '../../src/stages/index.ts';
import type { StageKind } from '../../src/core/stageContract.ts';
import { calls, instance, plan, registerTestKinds, testBackend, unregisterTestKinds } from './kinds.ts';

/** A stage that writes a model file in a subfolder and, when asked, a temporary file it never renamed. */
const modelKind: StageKind<{ bytes: number; strayTemp?: boolean }> = {
  kind: 'test-model',
  schema: {},
  references: [{ path: 'from', accepts: ['dataset'] }],
  produces: ['dataset'],
  async run(ctx) {
    calls.push(ctx.id);
    mkdirSync(join(ctx.outDir, 'model'), { recursive: true });
    writeFileSync(join(ctx.outDir, 'model', 'model.safetensors'), Buffer.alloc(ctx.settings.bytes, 7));
    writeFileSync(join(ctx.outDir, 'result.txt'), `${ctx.settings.bytes} bytes\n`);
    if (ctx.settings.strayTemp) writeFileSync(join(ctx.outDir, 'model', 'model.safetensors.tmp-4242-abcdef12'), 'half');
  },
};

const modelPlan = (settings: Record<string, unknown> = { bytes: 2048 }) =>
  plan([instance('m', settings, { kind: 'test-model' }), instance('after', { text: 'x', steps: 1 }, { from: ['m'] })]);

/** Mounts a tmpfs at `dir` (made if missing); false where mount is not allowed (not root, no CAP_SYS_ADMIN). */
function mountTmpfs(dir: string, options: string): boolean {
  mkdirSync(dir, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]).status === 0;
}

describe('the integrity of the cache', () => {
  let runsDir: string;
  let printed: string[];
  const options = (extra: Partial<ExecuteOptions> = {}): ExecuteOptions => ({
    runsDir,
    backend: testBackend,
    output: { write: (text) => void printed.push(text) },
    ...extra,
  });

  before(() => {
    registerTestKinds();
    stageKinds[modelKind.kind] = modelKind;
  });
  after(() => {
    unregisterTestKinds();
    delete stageKinds[modelKind.kind];
  });
  beforeEach(() => {
    runsDir = mkdtempSync(join(tmpdir(), 'dpo-run-integrity-'));
    printed = [];
    calls.length = 0;
  });
  afterEach(() => rmSync(runsDir, { recursive: true, force: true }));

  describe('the code in a fingerprint', () => {
    it('changes with any source file, native source or the lock file, and not with other files', () => {
      const root = mkdtempSync(join(tmpdir(), 'dpo-run-code-'));
      try {
        mkdirSync(join(root, 'src', 'losses'), { recursive: true });
        mkdirSync(join(root, 'native', 'src'), { recursive: true });
        writeFileSync(join(root, 'src', 'losses', 'dpo.ts'), 'export const beta = 0.1;\n');
        writeFileSync(join(root, 'native', 'src', 'gemm.cc'), '// gemm\n');
        writeFileSync(join(root, 'package-lock.json'), '{}\n');
        writeFileSync(join(root, 'README.md'), 'read me\n');
        const original = codeHash(root);
        assert.match(original, /^[0-9a-f]{64}$/);
        writeFileSync(join(root, 'README.md'), 'read me again\n');
        assert.equal(codeHash(root), original, 'the README is not code');
        for (const file of [join('src', 'losses', 'dpo.ts'), join('native', 'src', 'gemm.cc'), 'package-lock.json']) {
          const before = readFileSync(join(root, file), 'utf8');
          writeFileSync(join(root, file), before + ' ');
          assert.notEqual(codeHash(root), original, `${file} is code`);
          writeFileSync(join(root, file), before);
        }
        assert.equal(codeHash(root), original);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });

    it('is the hash of this checkout, and a different code hash gives a different fingerprint', () => {
      assert.equal(projectCodeHash(), codeHash(PROJECT_ROOT));
      const a = instance('a', { x: 1 });
      assert.equal(fingerprintOf(a, new Map()), fingerprintOf(a, new Map(), `0.1.0 ${projectCodeHash()}`));
      assert.notEqual(fingerprintOf(a, new Map(), `0.1.0 ${'0'.repeat(64)}`), fingerprintOf(a, new Map()));
    });
  });

  describe('a damaged entry', () => {
    it('records each file with its size and sha256 when the entry is committed', async () => {
      const result = await executePlan(modelPlan(), options());
      const record = JSON.parse(readFileSync(join(result.manifest.instances.m.output, ENTRY_FILE), 'utf8'));
      assert.deepEqual(record.files.map((f: { path: string; size: number }) => [f.path, f.size]), [['model/model.safetensors', 2048], ['result.txt', 11]]);
      assert.match(record.files[0].sha256, /^[0-9a-f]{64}$/);
    });

    it('is run again, saying why in one line, when a committed file was truncated', async () => {
      const first = await executePlan(modelPlan(), options());
      truncateSync(join(first.manifest.instances.m.output, 'model', 'model.safetensors'), 10);
      calls.length = 0;
      printed = [];
      const second = await executePlan(modelPlan(), options());
      assert.deepEqual(calls, ['m']);
      assert.equal(second.manifest.instances.m.status, 'done');
      assert.equal(second.manifest.instances.after.status, 'cached');
      const why = printed.filter((line) => /damaged/.test(line));
      assert.equal(why.length, 1);
      assert.match(why[0], /^\[m\] cache entry test-model-[0-9a-f]{16} is damaged \(model\/model\.safetensors: 10 bytes, recorded 2048\); running it again\n$/);
      assert.equal(checkEntry(second.manifest.instances.m.output).status, 'complete');
    });

    it('is run again when a committed file is missing, and shows as damaged in a dry run', async () => {
      const first = await executePlan(modelPlan(), options());
      rmSync(join(first.manifest.instances.m.output, 'model'), { recursive: true });
      const [m] = scheduleRun(modelPlan(), runsDir, { only: [], force: [] });
      assert.equal(m.cached, false);
      assert.deepEqual(m.damage, ['model/model.safetensors: missing']);
      calls.length = 0;
      await executePlan(modelPlan(), options());
      assert.deepEqual(calls, ['m']);
    });

    it('is found by a hash check when a file changed but kept its size', async () => {
      const first = await executePlan(modelPlan(), options());
      const dir = first.manifest.instances.m.output;
      writeFileSync(join(dir, 'model', 'model.safetensors'), Buffer.alloc(2048, 8));
      assert.equal(checkEntry(dir).status, 'complete', 'sizes alone cannot see it');
      const check = checkEntry(dir, { hashes: true });
      assert.equal(check.status, 'damaged');
      assert.match((check as { problems: string[] }).problems[0], /^model\/model\.safetensors: its content changed/);
    });
  });

  describe('temporary files', () => {
    it('are removed from a work folder that is resumed, and never committed', async () => {
      const killed = modelPlan({ bytes: 16, strayTemp: true });
      const [m] = scheduleRun(killed, runsDir, { only: [], force: [] });
      const partial = m.entry.partialDir;
      mkdirSync(join(partial, 'checkpoints', 'step-000002.tmp'), { recursive: true });
      writeFileSync(join(partial, 'checkpoints', 'step-000002.tmp', 'model.safetensors'), 'half');
      writeFileSync(join(partial, 'summary.json.tmp-1234-0a1b2c3d'), '{"half":');
      writeFileSync(join(partial, '.metrics.csv.1234.tmp'), 'step,lo');
      const result = await executePlan(killed, options());
      const dir = result.manifest.instances.m.output;
      const files = JSON.parse(readFileSync(join(dir, ENTRY_FILE), 'utf8')).files.map((f: { path: string }) => f.path);
      assert.deepEqual(files, ['model/model.safetensors', 'result.txt']);
      assert.deepEqual(readdirSync(dir).sort(), ['cache-entry.json', 'checkpoints', 'model', 'result.txt']);
      assert.deepEqual(readdirSync(join(dir, 'checkpoints')), []);
      assert.deepEqual(readdirSync(join(dir, 'model')), ['model.safetensors']);
      assert.match(printed.join(''), /\[m\] removed 3 temporary file\(s\) an interrupted write left in .*: \.metrics\.csv\.1234\.tmp, checkpoints\/step-000002\.tmp, summary\.json\.tmp-1234-0a1b2c3d/);
    });
  });

  describe('a forced rerun', () => {
    it('stays committed and done when the replaced entry cannot be removed, and the next run removes it', async function () {
      const first = await executePlan(modelPlan(), options());
      const dir = first.manifest.instances.m.output;
      // A mount point inside the old entry: renaming the entry aside works, removing it fails (EBUSY).
      if (!mountTmpfs(join(dir, 'busy'), 'size=64k')) this.skip(); // needs root and mount, as in the container the tests run in
      let mounted = join(dir, 'busy');
      try {
        calls.length = 0;
        const forced = await executePlan(modelPlan(), options({ force: ['m'] }));
        assert.deepEqual(calls, ['m']);
        assert.equal(forced.status, 'done', printed.join(''));
        assert.equal(forced.manifest.instances.m.status, 'done');
        assert.equal(forced.manifest.instances.m.error, null);
        assert.equal(checkEntry(dir).status, 'complete');
        assert.equal(existsSync(join(dir, 'busy')), false, 'the entry in place is the new one');
        assert.match(printed.join(''), /\[m\] warning: could not remove the replaced entry .*\.replaced-\d+-[0-9a-f]+ \(EBUSY\); the next run removes it/);
        assert.doesNotMatch(printed.join(''), /internal error/);
        const aside = readdirSync(join(runsDir, 'cache')).filter((name) => name.includes('.replaced-'));
        assert.equal(aside.length, 1);
        mounted = join(runsDir, 'cache', aside[0], 'busy');
        spawnSync('umount', [mounted]);
        mounted = '';
        await executePlan(modelPlan(), options());
        assert.deepEqual(readdirSync(join(runsDir, 'cache')).filter((name) => name.includes('.replaced-')), []);
      } finally {
        if (mounted) spawnSync('umount', [mounted]);
      }
    });
  });

  describe('a run killed with kill -9', () => {
    it('is marked interrupted by the next run of the pipeline once its process is gone', async () => {
      const first = await executePlan(modelPlan(), options());
      const file = join(first.runDir, 'manifest.json');
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(manifest.pid, process.pid);
      assert.equal(manifest.host, hostname());
      // As a killed run leaves it: running, with a stage running, by a pid that no longer exists.
      const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
      Object.assign(manifest, { status: 'running', pid: dead, ended: null });
      manifest.instances.m.status = 'running';
      writeFileSync(file, JSON.stringify(manifest));
      printed = [];
      await executePlan(modelPlan(), options());
      const marked = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(marked.status, 'interrupted');
      assert.equal(marked.instances.m.status, 'interrupted');
      assert.match(marked.instances.m.error, new RegExp(`pid ${dead}`));
      assert.match(printed.join(''), /manifest\.json: the run's process \(pid \d+ on .*\) ended without finishing it; marked interrupted/);
      assert.deepEqual(markAbandonedRuns(join(runsDir, 'test')), [], 'marked once');
    });

    it('is left alone while its process runs', async () => {
      const first = await executePlan(modelPlan(), options());
      const file = join(first.runDir, 'manifest.json');
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      writeFileSync(file, JSON.stringify({ ...manifest, status: 'running', pid: process.pid }));
      assert.deepEqual(markAbandonedRuns(join(runsDir, 'test')), []);
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).status, 'running');
      assert.ok(existsSync(file));
    });
  });
});
