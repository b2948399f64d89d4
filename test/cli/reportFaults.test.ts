import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportCommand } from '../../src/cli/report.ts';
import { EXIT } from '../../src/core/errors.ts';
import { fsUserError } from '../../src/core/fsErrors.ts';
import { writeFrontier } from '../../src/evaluation/frontierTable.ts';
import { writeWinRates } from '../../src/evaluation/winRateTable.ts';
import { FRONTIER, WIN_RATES } from '../report/fixtures.ts';

/** A run folder with a finished evaluate stage and a dpo stage, as the executor leaves it. */
async function fakeRun(parent: string): Promise<{ runDir: string; evalDir: string; dpoDir: string }> {
  const runDir = join(parent, 'run');
  const evalDir = join(parent, 'cache', 'eval');
  const dpoDir = join(parent, 'cache', 'dpo');
  for (const dir of [evalDir, dpoDir, join(runDir, 'outputs')]) mkdirSync(dir, { recursive: true });
  await writeFrontier(evalDir, FRONTIER);
  await writeWinRates(evalDir, WIN_RATES);
  writeFileSync(join(dpoDir, 'summary.json'), JSON.stringify({ steps: 40, final: { loss: 0.4 } }));
  writeFileSync(join(dpoDir, 'metrics.csv'), 'step,loss\n1,0.69\n40,0.41\n');
  symlinkSync(evalDir, join(runDir, 'outputs', 'eval'));
  const record = (kind: string, output: string) => ({ stage: kind, kind, fingerprint: 'f', status: 'done', cache_hit: false, started: null, ended: null, backend: 'cpu', output, error: null });
  writeFileSync(join(runDir, 'manifest.json'), JSON.stringify({ pipeline: 'p', status: 'done', instances: { dpo: record('dpo', dpoDir), eval: record('evaluate', evalDir) } }));
  return { runDir, evalDir, dpoDir };
}

/** The error reportCommand throws, as the CLI would show it. */
async function reportFailure(runDir: string): Promise<{ message: string; exitCode: number }> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    await reportCommand(runDir);
  } catch (error) {
    return error as { message: string; exitCode: number };
  } finally {
    process.stdout.write = write;
  }
  assert.fail('the report should have failed');
}

describe('dpo-run report on a damaged run', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'dpo-run-report-faults-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('names a summary.json that is not JSON, in one line, exit 1', async () => {
    const { runDir, dpoDir } = await fakeRun(root);
    writeFileSync(join(dpoDir, 'summary.json'), '{"steps": 40, "final": {"lo');
    const error = await reportFailure(runDir);
    assert.equal(error.exitCode, EXIT.stageFailed);
    assert.match(error.message, new RegExp(`^${join(dpoDir, 'summary.json')}: not valid JSON \\(.*\\); run dpo-run verify`));
    assert.doesNotMatch(error.message, /\n/);
  });

  it('names a missing frontier.csv, in one line, exit 1', async () => {
    const { runDir, evalDir } = await fakeRun(root);
    rmSync(join(evalDir, 'frontier.csv'));
    const error = await reportFailure(runDir);
    assert.equal(error.exitCode, EXIT.stageFailed);
    assert.match(error.message, /^cannot (open|read) .*frontier\.csv: no such file or folder; run dpo-run verify/);
    assert.doesNotMatch(error.message, /\n/);
  });
});

describe('file-system errors', () => {
  const fsError = (code: string, syscall: string, path?: string) => Object.assign(new Error(`${code}: ${syscall}`), { code, syscall, ...(path ? { path } : {}) });

  it('become one-line UserErrors with exit 1 naming the path and what to do', () => {
    const cases: [Error, RegExp][] = [
      [fsError('EACCES', 'mkdir', '/srv/runs/quick'), /^cannot create \/srv\/runs\/quick: permission denied; give this user access/],
      [fsError('EROFS', 'open', '/mnt/runs/cache/x.lock'), /^cannot open \/mnt\/runs\/cache\/x\.lock: read-only file system; choose a writable folder/],
      [fsError('ENOTDIR', 'mkdir', '/tmp/file/runs'), /^cannot create \/tmp\/file\/runs: a part of the path is a file, not a folder/],
      [fsError('ENOSPC', 'write'), /^cannot write \/runs\/cache\/x\.partial: no space left on the device; free some space/],
    ];
    for (const [error, expected] of cases) {
      const user = fsUserError(error, '/runs/cache/x.partial')!;
      assert.equal(user.name, 'UserError');
      assert.equal(user.exitCode, EXIT.stageFailed);
      assert.match(user.message, expected);
    }
  });

  it('leave other errors alone', () => {
    assert.equal(fsUserError(new SyntaxError('Unexpected end of JSON input')), undefined);
    assert.equal(fsUserError(Object.assign(new Error('x'), { code: 'ERR_SOMETHING' })), undefined);
  });
});
