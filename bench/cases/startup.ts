/**
 * How long the CLI takes to answer, in milliseconds, each the median of five fresh
 * processes: `--help`, `validate pipelines/imdb.yaml`, its `--dry-run`, and a run of
 * pipelines/quick.yaml that the cache holds whole (run once first, untimed, into a
 * temporary runs folder), with a bare `node -e 0` for the floor. `validate_ms` is a file
 * validated before (its parse and V8's code caches filled by an untimed call);
 * `validate_edited_ms` a file whose text is new (an empty parse cache each time), as after
 * an edit, which must run the YAML parser. `layout` says whether
 * bin/dpo-run.js ran dist/ (compiled at install) or the TypeScript through tsx (no build,
 * or src/ edited since); `from_source` has --help and validate through tsx for comparison.
 * None of them loads TensorFlow.js.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distIsCurrent } from '../../scripts/sourceStamp.mjs';
import { median, type BenchCase } from './types.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'dpo-run.js');
const REPEATS = 5;

function milliseconds(args: string[], env: Record<string, string> | (() => Record<string, string>) = {}): number {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const extra = typeof env === 'function' ? env() : env;
    const start = performance.now();
    execFileSync(process.execPath, args, { cwd: root, stdio: 'ignore', env: { ...process.env, ...extra } });
    times.push(performance.now() - start);
  }
  return Math.round(median(times));
}

export const startup: BenchCase = {
  name: 'startup',
  description: `milliseconds until the CLI has answered (median of ${REPEATS} fresh processes): --help, validate pipelines/imdb.yaml (seen before, and as if just edited), its --dry-run, a run of pipelines/quick.yaml the cache holds whole; node -e 0 for the floor`,
  async run() {
    const runsDir = mkdtempSync(join(tmpdir(), 'dpo-run-bench-startup-'));
    const source = { DPO_RUN_FROM_SOURCE: '1' };
    try {
      execFileSync(process.execPath, [bin, 'pipelines/quick.yaml', '--runs-dir', runsDir], { cwd: root, stdio: 'ignore' }); // fills the cache
      execFileSync(process.execPath, [bin, 'validate', 'pipelines/imdb.yaml'], { cwd: root, stdio: 'ignore' }); // fills the parse and code caches
      const emptyParseCache = () => ({ DPO_RUN_PARSE_CACHE: mkdtempSync(join(runsDir, 'parsed-')) });
      return {
        layout: distIsCurrent(root) ? 'dist' : 'source',
        node_ms: milliseconds(['-e', '0']),
        help_ms: milliseconds([bin, '--help']),
        validate_ms: milliseconds([bin, 'validate', 'pipelines/imdb.yaml']),
        validate_edited_ms: milliseconds([bin, 'validate', 'pipelines/imdb.yaml'], emptyParseCache),
        dry_run_ms: milliseconds([bin, 'pipelines/imdb.yaml', '--dry-run', '--runs-dir', runsDir]),
        cached_run_ms: milliseconds([bin, 'pipelines/quick.yaml', '--runs-dir', runsDir]),
        from_source: { help_ms: milliseconds([bin, '--help'], source), validate_ms: milliseconds([bin, 'validate', 'pipelines/imdb.yaml'], source) },
      };
    } finally {
      rmSync(runsDir, { recursive: true, force: true });
    }
  },
};
