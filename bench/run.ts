/**
 * `npm run bench`: runs the benchmark cases of bench/cases/index.ts on the chosen backend
 * and prints one JSON object: the backend, and each case's figures under its name. When the
 * native kernels are loaded, the same cases also run on the other native backend and on the
 * stock wasm kernels, each in a fresh process (so that none inherits another's heap or
 * compiled code), and their figures stand beside the first ones: on native-cpu (what `auto`
 * picks when the addon is built) under `wasm_native` and `stock_wasm`; on wasm under
 * `native_cpu` and `stock_wasm`. A summary of the headline figures goes to stderr.
 * Usage: npm run bench [-- --backend native-cpu|wasm|cpu|tensorflow|auto] [--only case,...] [--no-stock] [--alone]
 * --no-stock leaves out the stock wasm run (minutes per step on GPT-2's width); --alone runs
 * this backend only.
 * DPO_RUN_BENCH_SHAPES=imdb limits the model shapes (see bench/modelShapes.ts).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BACKENDS, describeBackend, initBackend, type BackendRequest } from '../src/backend/index.ts';
import { benchCases } from './cases/index.ts';
import { summaryLines } from './summary.ts';

const { values } = parseArgs({
  options: { backend: { type: 'string', default: 'auto' }, only: { type: 'string' }, 'no-stock': { type: 'boolean', default: false }, alone: { type: 'boolean', default: false } },
});
if (!BACKENDS.includes(values.backend as BackendRequest)) throw new Error(`--backend must be one of ${BACKENDS.join(', ')}`);
const only = values.only?.split(',');
const unknown = only?.filter((name) => !benchCases.some((c) => c.name === name)) ?? [];
if (unknown.length > 0) throw new Error(`unknown case(s) ${unknown.join(', ')}; cases: ${benchCases.map((c) => c.name).join(', ')}`);

const choice = await initBackend(values.backend as BackendRequest);
console.error(describeBackend(choice));
const selected = benchCases.filter((c) => !only || only.includes(c.name));
const cases: Record<string, Record<string, unknown>> = {};
for (const c of selected) {
  console.error(`running ${c.name} on ${choice.name}${choice.native?.loaded ? ' (native kernels)' : ''}: ${c.description}`);
  cases[c.name] = { description: c.description, ...(await c.run()) };
}

/** The other runs to stand beside this one: a figure key, the backend, and the environment. */
const others: { key: string; backend: string; env: Record<string, string> }[] = [];
if (choice.native?.loaded && !values.alone) {
  others.push(choice.name === 'native-cpu' ? { key: 'wasm_native', backend: 'wasm', env: {} } : { key: 'native_cpu', backend: 'native-cpu', env: {} });
  if (!values['no-stock']) others.push({ key: 'stock_wasm', backend: 'wasm', env: { DPO_RUN_NATIVE: '0' } });
}
for (const other of others) {
  console.error(`running the same cases as ${other.key}, in a new process`);
  const result = otherRun(selected.map((c) => c.name), other.backend, other.env);
  for (const c of selected) cases[c.name][other.key] = withoutDescription(result.cases[c.name]);
}
console.log(JSON.stringify({ backend: choice.name, provider: choice.provider, native: choice.native ?? null, cases }, null, 2));
if (!values.alone) for (const line of summaryLines(choice.name, cases, others.map((o) => o.key))) console.error(line);

/** This benchmark again in a child process on `backend`: its printed JSON. */
function otherRun(names: string[], backend: string, env: Record<string, string>): { cases: Record<string, unknown> } {
  const script = fileURLToPath(import.meta.url);
  const output = execFileSync(process.execPath, ['--import', 'tsx', script, '--backend', backend, '--only', names.join(','), '--alone'], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(output);
}

function withoutDescription(figures: unknown): Record<string, unknown> {
  const { description: _description, ...rest } = figures as Record<string, unknown>;
  return rest;
}
