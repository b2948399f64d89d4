/**
 * How long the CLI takes to answer before any stage runs: `--help`, `validate` of
 * pipelines/imdb.yaml and its `--dry-run`, each a fresh process (the median of five), with
 * a bare `node -e 0` for the floor. None of them loads TensorFlow.js.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, round, type BenchCase } from './types.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'dpo-run.js');
const REPEATS = 5;

function seconds(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    execFileSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
    times.push((performance.now() - start) / 1000);
  }
  return round(median(times), 2);
}

export const startup: BenchCase = {
  name: 'startup',
  description: `seconds until the CLI has answered (median of ${REPEATS} fresh processes): --help, validate pipelines/imdb.yaml, pipelines/imdb.yaml --dry-run; node -e 0 for the floor`,
  async run() {
    const runsDir = mkdtempSync(join(tmpdir(), 'dpo-run-bench-startup-'));
    try {
      return {
        node_seconds: seconds(['-e', '0']),
        help_seconds: seconds([bin, '--help']),
        validate_seconds: seconds([bin, 'validate', 'pipelines/imdb.yaml']),
        dry_run_seconds: seconds([bin, 'pipelines/imdb.yaml', '--dry-run', '--runs-dir', runsDir]),
      };
    } finally {
      rmSync(runsDir, { recursive: true, force: true });
    }
  },
};
