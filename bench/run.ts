/**
 * `npm run bench`: runs the benchmark cases of bench/cases/index.ts on the chosen backend
 * and prints one JSON object: the backend, and each case's figures under its name. On
 * wasm with the native kernels loaded, every case runs twice, native then stock wasm
 * (the native kernels unregistered), and the figures stand side by side.
 * Usage: npm run bench [-- --backend wasm|cpu|tensorflow|auto] [--only case,...] [--no-stock]
 */
import { parseArgs } from 'node:util';
import { BACKENDS, describeBackend, initBackend, type BackendRequest } from '../src/backend/index.ts';
import { unregisterNativeKernels } from '../src/backend/native/index.ts';
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
  console.error(`running ${c.name}${sideBySide ? ' (native kernels)' : ''}: ${c.description}`);
  cases[c.name] = { description: c.description, ...(await c.run()) };
}
if (sideBySide) {
  unregisterNativeKernels();
  for (const c of selected) {
    console.error(`running ${c.name} (stock wasm kernels)`);
    cases[c.name] = { ...(cases[c.name] as object), stock_wasm: await c.run() };
  }
}
console.log(JSON.stringify({ backend: choice.name, provider: choice.provider, native: choice.native ?? null, cases }, null, 2));
