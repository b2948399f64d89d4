import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/core/errors.ts';
import { acquireLock, STALE_AFTER_MS } from '../../src/executor/lock.ts';
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

  /** A lock as a holder on another host writes it, its heartbeat `age` ms ago. */
  const foreignLock = (file: string, age: number) => {
    const heartbeat = new Date(Date.now() - age).toISOString();
    writeFileSync(file, JSON.stringify({ pid: process.pid, host: 'another-node', started: heartbeat, heartbeat }) + '\n');
  };

  it('respects a lock from another host while its heartbeat is fresh, naming the host', () => {
    const file = join(runsDir, 'x.lock');
    foreignLock(file, 1000);
    assert.throws(() => acquireLock(file, 'x'), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /pid \d+ on another-node, heartbeat 1s ago/);
      return true;
    });
    assert.match(readFileSync(file, 'utf8'), /another-node/); // left to its holder
  });

  it('takes over a lock from another host whose heartbeat is stale', () => {
    const file = join(runsDir, 'x.lock');
    foreignLock(file, STALE_AFTER_MS + 1000);
    const lock = acquireLock(file, 'x');
    const holder = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(holder.pid, process.pid);
    assert.notEqual(holder.host, 'another-node');
    lock.release();
    assert.equal(existsSync(file), false);
  });

  it('on its own host, trusts the pid over the heartbeat', () => {
    const file = join(runsDir, 'x.lock');
    const old = new Date(Date.now() - 10 * STALE_AFTER_MS).toISOString();
    writeFileSync(file, JSON.stringify({ pid: process.ppid, host: hostname(), started: old, heartbeat: old }));
    assert.throws(() => acquireLock(file, 'x'), UserError); // alive, however old its heartbeat
  });

  it('refreshes its heartbeat while it holds the lock', async () => {
    const file = join(runsDir, 'x.lock');
    const lock = acquireLock(file, 'x', { heartbeatMs: 20 });
    const first = JSON.parse(readFileSync(file, 'utf8')).heartbeat;
    await new Promise((resolve) => setTimeout(resolve, 120));
    const later = JSON.parse(readFileSync(file, 'utf8'));
    assert.ok(Date.parse(later.heartbeat) > Date.parse(first), `${first} -> ${later.heartbeat}`);
    assert.equal(later.started, first);
    lock.release();
  });

  it('is created exclusively and released by its holder', () => {
    const file = join(runsDir, 'x.lock');
    const lock = acquireLock(file, 'x');
    assert.throws(() => acquireLock(file, 'x'), UserError);
    lock.release();
    assert.equal(existsSync(file), false);
  });
});
