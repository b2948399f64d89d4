import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/core/errors.ts';
import { acquireLock } from '../../src/executor/lock.ts';
import { cacheEntry, executePlan, fingerprintAll } from '../../src/executor/index.ts';
import { chain, registerTestKinds, testBackend, unregisterTestKinds } from './kinds.ts';

describe('the cache lock', () => {
  let runsDir: string;
  before(registerTestKinds);
  after(unregisterTestKinds);
  beforeEach(() => {
    runsDir = mkdtempSync(join(tmpdir(), 'dpo-run-lock-'));
    mkdirSync(join(runsDir, 'cache'));
  });
  afterEach(() => rmSync(runsDir, { recursive: true, force: true }));

  const lockOfB = () => cacheEntry(runsDir, 'test-write', fingerprintAll(chain().instances).get('b')!).lockFile;
  const options = () => ({ runsDir, backend: testBackend, output: { write: () => {} } });

  it('refuses a cache entry locked by a live process, naming its pid', async () => {
    const livePid = process.ppid;
    writeFileSync(lockOfB(), JSON.stringify({ pid: livePid }));
    await assert.rejects(executePlan(chain(), options()), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, new RegExp(`pid ${livePid}`));
      return true;
    });
    assert.equal(JSON.parse(readFileSync(lockOfB(), 'utf8')).pid, livePid); // left to its holder
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(lockOfB(), JSON.stringify({ pid: deadPid }));
    const result = await executePlan(chain(), options());
    assert.equal(result.status, 'done');
    assert.equal(existsSync(lockOfB()), false);
  });

  it('is created exclusively and released by its holder', () => {
    const file = join(runsDir, 'x.lock');
    const lock = acquireLock(file, 'x');
    assert.throws(() => acquireLock(file, 'x'), UserError);
    lock.release();
    assert.equal(existsSync(file), false);
  });
});
