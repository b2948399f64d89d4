/**
 * What the command line accepts besides --set PATH=VALUE (Hydra's bare PATH=VALUE and
 * ~PATH, a space for the `=`), --version and dpo-run env, and that validate and --dry-run
 * check the files a plan reads.
 */
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.ts';
import { isOverride, joinSpacedValues } from '../../src/cli/args.ts';

async function capture(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const original = { stdout: process.stdout.write, stderr: process.stderr.write };
  process.stdout.write = ((chunk: string) => ((out.stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((out.stderr += chunk), true)) as typeof process.stderr.write;
  try {
    return { code: await main(argv), ...out };
  } finally {
    process.stdout.write = original.stdout;
    process.stderr.write = original.stderr;
  }
}

describe('the command line, as users of Hydra and TRL type it', function () {
  this.timeout(60000);

  it('takes --set PATH VALUE with a space, and bare PATH=VALUE and ~PATH overrides', async () => {
    assert.deepEqual(joinSpacedValues(['x.yaml', '--set', 'stages.dpo.beta', '0.1', '--dry-run'], ['--set']), ['x.yaml', '--set', 'stages.dpo.beta=0.1', '--dry-run']);
    assert.deepEqual(joinSpacedValues(['--set', 'a.b', '-1'], ['--set']), ['--set', 'a.b=-1']);
    assert.deepEqual(joinSpacedValues(['--set', '~a.b', 'x.yaml'], ['--set']), ['--set', '~a.b', 'x.yaml']);
    assert.ok(isOverride('stages.dpo.beta=0.1') && isOverride('~stages.dpo.sweep') && isOverride('seed=1'));
    assert.ok(!isOverride('pipelines/imdb.yaml') && !isOverride('runs/a=b'));
    for (const argv of [
      ['validate', 'pipelines/quick.yaml', '--set', 'stages.sft.train.lr', '0.01'],
      ['validate', 'pipelines/quick.yaml', 'stages.sft.train.lr=0.01'],
      ['validate', 'stages.sft.train.lr=0.01', 'pipelines/quick.yaml', '~stages.sft.samples'],
    ]) {
      const { code, stderr } = await capture(argv);
      assert.equal(code, 0, `${argv.join(' ')}: ${stderr}`);
    }
    const bad = await capture(['validate', 'pipelines/quick.yaml', 'stages.sft.train.lr=-1']);
    assert.equal(bad.code, 2, 'a bare override is validated like --set');
  });

  it('reports a missing data file or model folder on --dry-run with exit 2, running nothing', async () => {
    const { code, stdout, stderr } = await capture(['pipelines/quick.yaml', '--dry-run', '--set', 'stages.data.source={kind: jsonl, path: /no/such/file.jsonl}']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /error\[bad-set\] \/stages\/data\/source\/path: /);
  });

  it('says the plan replaced a sweep of the file on --dry-run', async () => {
    const { code, stdout } = await capture(['pipelines/imdb.yaml', '--dry-run', '--runs-dir', '/nonexistent/dpo-run-runs', 'stages.dpo.beta=0.1']);
    assert.equal(code, 0);
    assert.match(stdout, /^note: .*stages\.dpo\.beta=0\.1/m);
    assert.doesNotMatch(stdout, /dpo\[beta=/);
  });

  it('prints its version on --version', async () => {
    const { code, stdout } = await capture(['--version']);
    assert.equal(code, 0);
    assert.match(stdout, /^dpo-run \d+\.\d+\.\d+/);
  });

  it('prints the versions, backend, native kernels, BLAS and CPU on dpo-run env', async () => {
    const { code, stdout } = await capture(['env']);
    assert.equal(code, 0);
    for (const key of ['dpo-run', 'node', 'tensorflow.js', 'backend', 'native kernels', 'blas', 'cpu']) assert.match(stdout, new RegExp(`^${key} +\\S`, 'm'), key);
  });
});
