// Builds the optional native kernels (native/build/dpo_native.node) at `npm install`.
// It needs a C++ compiler, Node's headers and BLIS (Debian: g++ libblis-dev). When any is
// missing it prints one line saying what and exits 0: the project then runs on stock wasm.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const output = join(here, 'build', 'dpo_native.node');
const sources = ['addon.cc', 'copy.cc', 'elementwise.cc', 'gemm.cc', 'transpose.cc', 'parallel.cc', 'fused.cc', 'fusedBindings.cc', 'attention.cc', 'decode.cc', 'sampling.cc'].map((f) => join(here, 'src', f));
const debianPackages = 'g++ libblis-dev';

function skip(reason) {
  const outcome = existsSync(output) ? `keeping the earlier build ${output}` : 'the project runs on stock wasm';
  console.log(`dpo-run native kernels: not built (${reason}); ${outcome}. To build: apt-get install ${debianPackages}; npm run build:native`);
  process.exit(0);
}

function findCompiler() {
  for (const name of [process.env.CXX, 'c++', 'g++', 'clang++'].filter(Boolean)) {
    try {
      execFileSync(name, ['--version'], { stdio: 'ignore' });
      return name;
    } catch {}
  }
  return undefined;
}

function findNodeHeaders() {
  const candidates = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'];
  return candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
}

/** blis.h: Debian puts it under a per-threading-variant folder. */
function findBlisHeaders() {
  const direct = ['/usr/include/blis', '/usr/local/include/blis', '/usr/include'];
  const found = direct.find((dir) => existsSync(join(dir, 'blis.h')));
  if (found) return found;
  for (const triplet of ['/usr/include/x86_64-linux-gnu', '/usr/include/aarch64-linux-gnu']) {
    if (!existsSync(triplet)) continue;
    for (const variant of ['blis-openmp', 'blis-pthread', 'blis-serial']) {
      if (readdirSync(triplet).includes(variant) && existsSync(join(triplet, variant, 'blis.h'))) return join(triplet, variant);
    }
  }
  return undefined;
}

const compiler = findCompiler();
if (!compiler) skip('no C++ compiler');
const nodeHeaders = findNodeHeaders();
if (!nodeHeaders) skip("no Node headers (node_api.h)");
const blisHeaders = findBlisHeaders();
if (!blisHeaders) skip('no BLIS headers (blis.h)');

mkdirSync(dirname(output), { recursive: true });
const flags = ['-O3', '-march=native', '-std=c++17', '-shared', '-fPIC', '-fvisibility=hidden', '-DNODE_GYP_MODULE_NAME=dpo_native',
  `-I${nodeHeaders}`, `-I${blisHeaders}`, ...sources, '-o', output, '-lblis', '-lmvec', '-lm', '-lpthread'];
try {
  execFileSync(compiler, flags, { stdio: ['ignore', 'ignore', 'pipe'] });
} catch (error) {
  const firstError = String(error.stderr ?? error.message).split('\n').find((line) => /error/.test(line)) ?? 'compiler failed';
  skip(`build failed: ${firstError.trim()}`);
}
try {
  const addon = (await import('node:module')).createRequire(import.meta.url)(output);
  console.log(`dpo-run native kernels: built ${output} (${addon.info()})`);
} catch (error) {
  skip(`built but cannot load: ${String(error.message).split('\n')[0]}`);
}
