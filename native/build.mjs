// Builds the optional native kernels into native/build/ at `npm install`.
// It needs a C++ compiler, Node's headers and BLIS (Debian: g++ libblis-dev). When any is
// missing it prints one line saying what and exits 0: the project then runs on stock wasm.
//
// On x86-64 it builds one addon per instruction-set level, so that one build serves every
// CPU the folder may be carried to (an AVX-512 Intel machine, an AVX2-only AMD one, an
// older one): dpo_native-avx2.node (AVX2, FMA, F16C, BMI1/2) and dpo_native-baseline.node
// (x86-64's SSE2); src/backend/native/addon.ts loads the one the running CPU supports. BLIS picks
// its GEMM kernels from the CPU at run time in both. Elsewhere it builds dpo_native.node.
//
//   node native/build.mjs              the build above
//   node native/build.mjs --sanitize   ASan + UBSan builds in native/build/sanitize/ (-O1 -g);
//                                      it prints how to run a command against them
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const sanitize = process.argv.includes('--sanitize');
const outputDir = join(here, 'build', ...(sanitize ? ['sanitize'] : []));
const sources = ['addon.cc', 'copy.cc', 'elementwise.cc', 'gemm.cc', 'transpose.cc', 'parallel.cc', 'fused.cc', 'fusedBindings.cc', 'attention.cc', 'decode.cc', 'sampling.cc'].map((f) => join(here, 'src', f));
const debianPackages = 'g++ libblis-dev';
/** What the AVX2 build needs of the CPU (src/backend/native/addon.ts checks the same list). */
const AVX2_FLAGS = ['avx', 'avx2', 'fma', 'f16c', 'bmi1', 'bmi2'];
const cpuHasAvx2 = (() => {
  try {
    const flags = new Set(readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1].trim().split(/\s+/) ?? []);
    return AVX2_FLAGS.every((f) => flags.has(f));
  } catch {
    return false;
  }
})();
/** The builds for this machine's architecture: a file name and its instruction-set flags. */
const allVariants = arch() === 'x64'
  ? [{ file: 'dpo_native-avx2.node', flags: ['-march=x86-64', '-mavx', '-mavx2', '-mfma', '-mf16c', '-mbmi', '-mbmi2', '-mtune=generic'] },
    { file: 'dpo_native-baseline.node', flags: ['-march=x86-64', '-mtune=generic'] }]
  : [{ file: 'dpo_native.node', flags: [] }];
/** The one this machine loads (the same choice as src/backend/native/addon.ts). */
const loads = allVariants.length > 1 && !cpuHasAvx2 ? allVariants[1] : allVariants[0];
/** A sanitizer build is for this machine only. */
const variants = sanitize ? [loads] : allVariants;

function skip(reason) {
  const kept = variants.some((v) => existsSync(join(outputDir, v.file)));
  const outcome = kept ? `keeping the earlier build in ${outputDir}` : 'the project runs on stock wasm';
  console.log(`dpo-run native kernels: not built (${reason}); ${outcome}. To build: apt-get install ${debianPackages}; npm run build:native`);
  process.exit(0);
}

async function findCompiler() {
  for (const name of [process.env.CXX, 'c++', 'g++', 'clang++'].filter(Boolean)) {
    try {
      await run(name, ['--version']);
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

const compiler = await findCompiler();
if (!compiler) skip('no C++ compiler');
const nodeHeaders = findNodeHeaders();
if (!nodeHeaders) skip('no Node headers (node_api.h)');
const blisHeaders = findBlisHeaders();
if (!blisHeaders) skip('no BLIS headers (blis.h)');

mkdirSync(outputDir, { recursive: true });
const optimise = sanitize ? ['-O1', '-g', '-fno-omit-frame-pointer', '-fsanitize=address,undefined', '-fno-sanitize-recover=undefined'] : ['-O3'];
const common = [...optimise, '-std=c++17', '-shared', '-fPIC', '-fvisibility=hidden', '-DNODE_GYP_MODULE_NAME=dpo_native',
  `-I${nodeHeaders}`, `-I${blisHeaders}`, ...sources];
const libraries = ['-lblis', '-lmvec', '-lm', '-lpthread'];
// Each build goes to a temporary file, renamed into place when it succeeds: a process that has
// the earlier build loaded keeps its (unlinked) file, and a failed build leaves the old one.
const build = async (v) => {
  const target = join(outputDir, v.file);
  await run(compiler, [...common, ...v.flags, '-o', `${target}.tmp`, ...libraries], { maxBuffer: 16 * 1024 * 1024 });
  renameSync(`${target}.tmp`, target);
};
const results = await Promise.allSettled(variants.map(build));
const failed = results.find((r) => r.status === 'rejected');
if (failed) {
  const error = failed.reason;
  const firstError = String(error.stderr ?? error.message).split('\n').find((line) => /error/.test(line)) ?? 'compiler failed';
  skip(`build failed: ${firstError.trim()}`);
}
if (sanitize) {
  const runtime = (await run(compiler, ['-print-file-name=libasan.so'])).stdout.trim();
  console.log(`dpo-run native kernels: sanitizer builds in ${outputDir}. Run a command against them with\n` +
    `  LD_PRELOAD=${runtime} ASAN_OPTIONS=detect_leaks=0 DPO_RUN_NATIVE_ADDON=${join(outputDir, loads.file)} <command>`);
  process.exit(0);
}
try {
  const addon = createRequire(import.meta.url)(join(outputDir, loads.file));
  console.log(`dpo-run native kernels: built ${variants.map((v) => v.file).join(', ')} in ${outputDir}; this machine loads ${loads.file} (${addon.info()})`);
} catch (error) {
  skip(`built but cannot load: ${String(error.message).split('\n')[0]}`);
}
