/**
 * Chooses the TensorFlow.js backend once at start: `tensorflow` through
 * @tensorflow/tfjs-node-gpu (CUDA), then @tensorflow/tfjs-node, then `native-cpu` (the cpu
 * backend's ordinary memory with the native kernels of native/, when they are built), then
 * `wasm`, then `cpu`, unless one is forced. Why each earlier candidate was passed over is
 * kept, for the manifest and the first line of output. A forced backend that cannot load is
 * a UserError. On wasm, the kernels in ./kernels/ (UnsortedSegmentSum, a faster
 * BatchMatMul) and the native kernels are registered once the backend is set.
 */
import type { NativeKernelsRecord } from '../core/manifestRecord.ts';
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { UserError } from '../core/errors.ts';
import { registerWasmKernels } from './kernels/index.ts';
import { registerNativeKernels } from './native/index.ts';
import { NATIVE_CPU, registerNativeCpuBackend } from './nativeCpu/index.ts';

import { BACKENDS, type BackendRequest } from './backendNames.ts';
export { BACKENDS, type BackendRequest };

export interface BackendChoice {
  /** The TensorFlow.js backend name in use: `tensorflow`, `native-cpu`, `wasm` or `cpu`. */
  name: string;
  /** Which package provided it (`@tensorflow/tfjs-node-gpu`, ...). */
  provider: string;
  /** Why each earlier candidate was passed over. */
  passedOver: { candidate: string; reason: string }[];
  /** On native-cpu and wasm: whether the native kernels (native/, BLIS) were registered, and why not. */
  native?: NativeKernelsRecord;
}

interface Candidate {
  request: Exclude<BackendRequest, 'auto'>;
  provider: string;
  backend: string;
  load(): Promise<void>;
}

const require = createRequire(import.meta.url);

const candidates: Candidate[] = [
  { request: 'tensorflow-gpu', provider: '@tensorflow/tfjs-node-gpu', backend: 'tensorflow', load: async () => void require('@tensorflow/tfjs-node-gpu') },
  { request: 'tensorflow', provider: '@tensorflow/tfjs-node', backend: 'tensorflow', load: async () => void require('@tensorflow/tfjs-node') },
  { request: 'native-cpu', provider: 'dpo-run native kernels on @tensorflow/tfjs-backend-cpu', backend: NATIVE_CPU, load: loadNativeCpu },
  { request: 'wasm', provider: '@tensorflow/tfjs-backend-wasm', backend: 'wasm', load: async () => void (await import('@tensorflow/tfjs-backend-wasm')) },
  { request: 'cpu', provider: '@tensorflow/tfjs', backend: 'cpu', load: async () => {} },
];

let chosen: BackendChoice | undefined;

async function loadNativeCpu(): Promise<void> {
  const native = registerNativeCpuBackend();
  if (!native.loaded) throw new Error(native.reason);
}

/** Initialises the backend (once per process; later calls return the first choice). */
export async function initBackend(request: BackendRequest = 'auto'): Promise<BackendChoice> {
  if (chosen) return chosen;
  if (!BACKENDS.includes(request)) {
    throw new UserError(`unknown backend "${request}"`, `choose one of: ${BACKENDS.join(', ')}`);
  }
  // PROD hides the "install tfjs-node for speed" banner and TensorFlow.js's warnings.
  // (IS_TEST would too, but it also runs a per-kernel leak check that fails every
  // tf.customGrad that saves tensors on wasm, since wasm's Identity copies.)
  tf.env().set('PROD', true);
  const passedOver: BackendChoice['passedOver'] = [];
  const order = request === 'auto' ? candidates : candidates.filter((c) => c.request === request);
  for (const candidate of order) {
    try {
      await candidate.load();
      if (!(await tf.setBackend(candidate.backend))) throw new Error(`tf.setBackend('${candidate.backend}') failed`);
      await tf.ready();
      let native: BackendChoice['native'];
      if (candidate.backend === 'wasm') {
        registerWasmKernels();
        native = registerNativeKernels();
      } else if (candidate.backend === NATIVE_CPU) {
        native = registerNativeCpuBackend();
      }
      chosen = { name: candidate.backend, provider: candidate.provider, passedOver, ...(native ? { native } : {}) };
      return chosen;
    } catch (error) {
      const reason = describeLoadFailure(error);
      if (request !== 'auto') {
        const remedy = candidate.backend === NATIVE_CPU ? 'build the native kernels (apt-get install g++ libblis-dev; npm run build:native)' : `install ${candidate.provider}`;
        throw new UserError(`backend "${request}" cannot be used: ${reason}`, `${remedy}, or run with --backend auto`);
      }
      passedOver.push({ candidate: candidate.request, reason });
    }
  }
  throw new Error('no TensorFlow.js backend could be initialised: ' + passedOver.map((p) => `${p.candidate}: ${p.reason}`).join('; '));
}

function describeLoadFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Cannot find module/.test(message)) return 'not installed';
  return message.split('\n')[0];
}

/** One line for the start of a run: `backend: wasm (tensorflow-gpu: not installed; tensorflow: not installed)`. */
export function describeBackend(choice: BackendChoice): string {
  const skipped = choice.passedOver.map((p) => `${p.candidate}: ${p.reason}`).join('; ');
  const native = choice.native
    ? choice.native.loaded
      ? `; native kernels: ${choice.native.reason}`
      : `; native kernels off (${choice.native.reason}): stock wasm kernels`
    : '';
  return `backend: ${choice.name} via ${choice.provider}${native}` + (skipped ? ` (passed over ${skipped})` : '');
}

/** The bytes TensorFlow.js's tensors hold now (on wasm: of its heap). */
export function bytesInUse(): number {
  return tf.memory().numBytes;
}
