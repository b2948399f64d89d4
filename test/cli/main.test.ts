import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.ts';

/** Runs main() in this process, capturing what it prints. */
async function capture(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const original = { stdout: process.stdout.write, stderr: process.stderr.write };
  process.stdout.write = ((chunk: string) => ((out.stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((out.stderr += chunk), true)) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, ...out };
  } finally {
    process.stdout.write = original.stdout;
    process.stderr.write = original.stderr;
  }
}

describe('the command line', () => {
  for (const argv of [['--help'], ['help'], ['-h']]) {
    it(`explains the commands, options and exit codes on ${argv[0]}`, async () => {
      const { code, stdout } = await capture(argv);
      assert.equal(code, 0);
      for (const word of ['validate', '--set', '--sweep', '--only', '--force', '--dry-run', '--runs-dir', '--backend', '130']) {
        assert.ok(stdout.includes(word), `help mentions ${word}`);
      }
    });
  }

  it('rejects an unknown option with exit 2 and a close option', async () => {
    const { code, stderr } = await capture(['pipeline.yaml', '--dry-runn']);
    assert.equal(code, 2);
    assert.match(stderr, /^error: unknown option --dry-runn/);
    assert.match(stderr, /did you mean --dry-run\?/);
    assert.doesNotMatch(stderr, /\n\s+at /); // no stack
  });

  it('rejects an unknown command with exit 2 and a close command', async () => {
    const { code, stderr } = await capture(['valdate', 'x.yaml']);
    assert.equal(code, 2);
    assert.match(stderr, /error: "valdate" is neither a command nor a pipeline file/);
    assert.match(stderr, /did you mean "dpo-run validate"/);
  });

  it('rejects an option without its value', async () => {
    const { code, stderr } = await capture(['pipeline.yaml', '--set']);
    assert.equal(code, 2);
    assert.match(stderr, /^error: option '--set <value>' argument missing/);
  });

  it('exits 2 without running anything when no pipeline is given', async () => {
    const { code, stderr } = await capture([]);
    assert.equal(code, 2);
    assert.match(stderr, /no pipeline given/);
  });

  it('exits 2 with the diagnostics when the pipeline file is missing', async () => {
    const { code, stderr } = await capture(['does-not-exist.yaml', '--dry-run']);
    assert.equal(code, 2);
    assert.match(stderr, /does-not-exist\.yaml: error\[no-file\]/);
    assert.match(stderr, /nothing was run/);
  });

  it('dispatches validate to its command, exiting 2 on an invalid file', async () => {
    const { code, stdout, stderr } = await capture(['validate', '--json', 'test/fixtures/pipelines/invalid/bad-enum.yaml']);
    assert.equal(code, 2, stderr);
    assert.ok(JSON.parse(stdout).some((d: { code: string }) => d.code === 'enum'));
  });
});
