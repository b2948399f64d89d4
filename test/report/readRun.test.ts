import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportCommand } from '../../src/cli/report.ts';
import { UserError } from '../../src/core/errors.ts';
import { writeFrontier } from '../../src/evaluation/frontierTable.ts';
import { writeWinRates } from '../../src/evaluation/winRateTable.ts';
import { readRunReport } from '../../src/report/readRun.ts';
import { FRONTIER, svgPointMarks, WIN_RATES } from './fixtures.ts';

/** A run folder as the executor leaves it: manifest.json and outputs/ links to "cache" folders. */
async function fakeRun(parent: string, name: string): Promise<string> {
  const runDir = join(parent, name);
  const cache = join(parent, `cache-${name}`);
  const evalDir = join(cache, 'eval');
  const dpoDir = join(cache, 'dpo');
  await mkdir(evalDir, { recursive: true });
  await mkdir(dpoDir, { recursive: true });
  await mkdir(join(runDir, 'outputs'), { recursive: true });
  await writeFrontier(evalDir, FRONTIER);
  await writeWinRates(evalDir, WIN_RATES);
  // As the DPO loop writes them: the last training batch's figures under final, the last held-out evaluation under eval.
  await writeFile(join(dpoDir, 'summary.json'), JSON.stringify({ steps: 40, final: { loss: 0.4 }, eval: { loss: 0.55, 'rewards/accuracies': 0.7 } }));
  await writeFile(join(dpoDir, 'metrics.csv'), 'step,loss,rewards/accuracies,eval/loss\n1,0.69,0.5,0.6\n40,0.41,0.8,\n');
  await symlink(evalDir, join(runDir, 'outputs', 'eval'));
  const record = (kind: string, output: string, status = 'done') => ({ stage: kind, kind, fingerprint: 'f', status, cache_hit: false, started: null, ended: null, backend: 'cpu', output, error: null });
  const manifest = { pipeline: 'p', status: 'done', instances: { data: record('dataset', '/nowhere'), 'dpo[beta=0.1]': record('dpo', dpoDir, 'cached'), eval: record('evaluate', '/nowhere') } };
  await writeFile(join(runDir, 'manifest.json'), JSON.stringify(manifest));
  return runDir;
}

describe('dpo-run report', function () {
  this.timeout(30000);
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'dpo-run-report-'));
  });

  it('reads a run folder: the evaluation through outputs/, the training stages through the manifest', async () => {
    const runDir = await fakeRun(root, 'run-a');
    const inputs = await readRunReport(runDir);
    assert.equal(inputs.frontier.length, FRONTIER.length);
    assert.equal(inputs.winRates.length, WIN_RATES.length);
    const metrics = { 'train loss': 0.4, 'eval loss': 0.55, 'train accuracy': 0.8, 'eval accuracy': 0.7 };
    assert.deepEqual(inputs.stages, [{ id: 'dpo[beta=0.1]', kind: 'dpo', steps: 40, metrics }]);
  });

  it('writes report.md, frontier.svg and win_rates.svg into the folder', async () => {
    const runDir = await fakeRun(root, 'run-b');
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      assert.equal(await reportCommand(runDir), 0);
    } finally {
      process.stdout.write = write;
    }
    assert.match(readFileSync(join(runDir, 'report.md'), 'utf8'), /## Against the paper/);
    assert.equal(svgPointMarks(readFileSync(join(runDir, 'frontier.svg'), 'utf8')), FRONTIER.length);
    assert.ok(existsSync(join(runDir, 'win_rates.svg')));
  });

  it('merges the runs of a sweep folder, keeping each run apart', async () => {
    const sweepDir = join(root, 'sweep');
    await fakeRun(sweepDir, 'seed=0');
    await fakeRun(sweepDir, 'seed=1');
    await writeFile(join(sweepDir, 'sweep.json'), JSON.stringify({ runs: [{ folder: 'seed=0', status: 'done' }, { folder: 'seed=1', status: 'done' }, { folder: null, status: 'pending' }] }));
    const inputs = await readRunReport(sweepDir);
    assert.equal(inputs.frontier.length, 2 * FRONTIER.length);
    assert.ok(inputs.frontier.some((r) => r.policy === 'seed=1/dpo[beta=0.1]'));
    assert.deepEqual(inputs.stages.map((s) => s.id), ['seed=0/dpo[beta=0.1]', 'seed=1/dpo[beta=0.1]']);
    assert.match(inputs.about[0], /2 of 3 runs merged/);
  });

  it('is a UserError for a folder that is not a run', async () => {
    await assert.rejects(readRunReport(root), UserError);
  });
});
