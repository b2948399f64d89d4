// Compiles src/ into dist/ (ESM .js with source maps; tsconfig.build.json) at `npm install`
// and `npm ci` (the `prepare` script), so that bin/dpo-run.js starts without transpiling
// TypeScript. Type checking is `npm run typecheck`'s job; this only emits (--noCheck).
// dist/build-stamp.json, written last, names the sources it was built from
// (./sourceStamp.mjs): a build that failed or was cut short has none, and is never run.
// Never fails an install: without TypeScript (npm ci --omit=dev), or when tsc fails, it
// says so in one line and the CLI runs the TypeScript through tsx as before.
//
//   node scripts/build.mjs           build dist/
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourcePaths, stampOf, STAMP_FILE } from './sourceStamp.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = join(root, 'dist');

function build() {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    return 'TypeScript is not installed';
  }
  const paths = sourcePaths(root);
  const stamp = stampOf(root, paths); // before compiling: an edit made meanwhile makes the build stale, not current
  rmSync(dist, { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--noCheck'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) return `tsc failed${result.error ? `: ${result.error.message}` : `:\n${(result.stdout + result.stderr).trim()}`}`;
  mkdirSync(dist, { recursive: true });
  writeFileSync(join(dist, STAMP_FILE), JSON.stringify({ built: new Date().toISOString(), paths, stamp }) + '\n');
  return undefined;
}

const started = Date.now();
let problem;
try {
  problem = build();
} catch (error) {
  problem = error instanceof Error ? error.message : String(error);
}
if (problem) console.error(`dpo-run: dist/ not built (${problem}); the CLI runs the TypeScript sources through tsx`);
else console.error(`dpo-run: compiled src/ into dist/ in ${((Date.now() - started) / 1000).toFixed(1)}s`);
