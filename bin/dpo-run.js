#!/usr/bin/env node
// Starts the CLI from dist/, the JavaScript compiled at `npm install` (scripts/build.mjs),
// when dist/ was built from src/ as it is now; otherwise (no build, or src/ edited since)
// from the TypeScript sources through tsx, so that a clone needs no build step and an
// edit is never served stale. DPO_RUN_FROM_SOURCE=1 always runs the sources.
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import { distIsCurrent } from '../scripts/sourceStamp.mjs';

// Node 22.1+ keeps V8's compiled code of every module on disk (Node 20 has no such cache).
module.enableCompileCache?.();

const root = fileURLToPath(new URL('..', import.meta.url));
const QUICK_COMMANDS = new Set(['validate', '--help', '-h', 'help', '--version', '-V', 'env']);
let main;
if (process.env.DPO_RUN_FROM_SOURCE !== '1' && distIsCurrent(root)) {
  // Stack traces name the .ts lines, except in the commands that must start at once:
  // reading the source maps of every module costs them a tenth of their time, and their
  // stack traces (an internal error only) name dist/ lines, which tsc keeps close to the
  // sources. DPO_RUN_FROM_SOURCE=1 runs the TypeScript itself.
  if (!QUICK_COMMANDS.has(process.argv[2] ?? '--help')) process.setSourceMapsEnabled(true);
  ({ main } = await import('../dist/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
