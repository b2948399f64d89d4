/**
 * `npm run bench`: runs the benchmark cases of bench/cases/index.ts on the chosen backend
 * and prints one JSON object: the backend, and each case's figures under its name. On
 * wasm with the native kernels loaded, every case runs twice, native then stock wasm, each
 * in a fresh process (DPO_RUN_NATIVE=0 for the stock one, so neither inherits the other's
 * heap or compiled code), and the figures stand side by side.
 * Usage: npm run bench [-- --backend wasm|cpu|tensorflow|auto] [--only case,...] [--no-stock]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BACKENDS, describeBackend, initBackend, type BackendRequest } from '../src/backend/index.ts';
import { benchCases } from './cases/index.ts';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'auto' }, only: { type: 'string' }, 'no-stock': { type: 'boolean', default: false } } });
if (!BACKENDS.includes(values.backend as BackendRequest)) throw new Error(`--backend must be one of ${BACKENDS.join(', ')}`);
const only = values.only?.split(',');
const unknown = only?.filter((name) => !benchCases.some((c) => c.name === name)) ?? [];
if (unknown.length > 0) throw new Error(`unknown case(s) ${unknown.join(', ')}; cases: ${benchCases.map((c) => c.name).join(', ')}`);

const choice = await initBackend(values.backend as BackendRequest);
console.error(describeBackend(choice));
const selected = benchCases.filter((c) => !only || only.includes(c.name));
const sideBySide = choice.native?.loaded === true && !values['no-stock'];
const cases: Record<string, unknown> = {};
for (const c of selected) {
  console.error(`running ${c.name}${choice.native?.loaded ? ' (native kernels)' : ''}: ${c.description}`);
  cases[c.name] = { description: c.description, ...(await c.run()) };
}
if (sideBySide) {
  console.error('running the same cases on the stock wasm kernels, in a new process');
  const stock = stockRun(selected.map((c) => c.name));
  for (const c of selected) cases[c.name] = { ...(cases[c.name] as object), stock_wasm: withoutDescription(stock.cases[c.name]) };
}
console.log(JSON.stringify({ backend: choice.name, provider: choice.provider, native: choice.native ?? null, cases }, null, 2));

/** This benchmark again in a child process with the native kernels off: its printed JSON. */
function stockRun(names: string[]): { cases: Record<string, unknown> } {
  const script = fileURLToPath(import.meta.url);
  const output = execFileSync(process.execPath, ['--import', 'tsx', script, '--backend', 'wasm', '--only', names.join(','), '--no-stock'], {
    encoding: 'utf8',
    env: { ...process.env, DPO_RUN_NATIVE: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(output);
}

function withoutDescription(figures: unknown): unknown {
  const { description: _description, ...rest } = figures as Record<string, unknown>;
  return rest;
}
