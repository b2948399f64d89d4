/**
 * Backend choice: `auto` takes native-cpu when the native addon is built (after the
 * tfjs-node packages, which are not installed here), wasm when it is not or the native
 * kernels are off; `native-cpu` forced without the addon is a user error saying what to do.
 * Each case runs in its own process, since a process chooses once.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BACKENDS } from '../../src/backend/index.ts';
import { loadAddon } from '../../src/backend/native/addon.ts';

const root = join(import.meta.dirname, '..', '..');

/** initBackend(request) in a fresh process: its choice, or the error it threw. */
function choose(request: string, env: Record<string, string> = {}): { name?: string; passedOver?: { candidate: string; reason: string }[]; native?: { loaded: boolean }; error?: string } {
  const script = `
    import { initBackend } from './src/backend/index.ts';
    try {
      const c = await initBackend(${JSON.stringify(request)});
      console.log(JSON.stringify({ name: c.name, passedOver: c.passedOver, native: c.native }));
    } catch (error) {
      console.log(JSON.stringify({ error: error.constructor.name + ': ' + error.message + ' / ' + (error.hint ?? '') }));
    }`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout.trim().split('\n').pop()!);
}

describe('backend choice', function () {
  this.timeout(60000);

  it('lists native-cpu between the tfjs-node backends and wasm', () => {
    assert.deepEqual([...BACKENDS], ['auto', 'tensorflow-gpu', 'tensorflow', 'native-cpu', 'wasm', 'cpu']);
  });

  it('auto picks native-cpu when the native addon is built', function () {
    if (!loadAddon().addon) this.skip();
    const choice = choose('auto');
    assert.equal(choice.name, 'native-cpu');
    assert.equal(choice.native?.loaded, true);
    assert.deepEqual(choice.passedOver?.map((p) => p.candidate), ['tensorflow-gpu', 'tensorflow']);
  });

  it('auto passes over native-cpu, saying why, when the native kernels are off or not built', () => {
    const off = choose('auto', { DPO_RUN_NATIVE: '0' });
    assert.equal(off.name, 'wasm');
    assert.deepEqual(off.passedOver?.find((p) => p.candidate === 'native-cpu'), { candidate: 'native-cpu', reason: 'disabled by DPO_RUN_NATIVE=0' });
    const missing = choose('auto', { DPO_RUN_NATIVE_ADDON: '/nonexistent/dpo_native.node' });
    assert.equal(missing.name, 'wasm');
    assert.match(missing.passedOver!.find((p) => p.candidate === 'native-cpu')!.reason, /native addon not built/);
  });

  it('refuses native-cpu forced without the addon, saying how to build it', () => {
    const forced = choose('native-cpu', { DPO_RUN_NATIVE_ADDON: '/nonexistent/dpo_native.node' });
    assert.match(forced.error!, /^UserError: backend "native-cpu" cannot be used: native addon not built/);
    assert.match(forced.error!, /npm run build:native/);
  });
});
