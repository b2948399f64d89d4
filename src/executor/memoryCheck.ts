/**
 * Each stage instance's memory against what the backend can use: the `mem ~...` column of
 * `--dry-run`, and the check before a run starts (an instance that cannot fit stops the
 * run with exit 2 before any stage runs; DPO_RUN_SKIP_MEMORY_CHECK=1 or
 * --skip-memory-check lets it try). The estimate is src/model/memoryEstimate.ts's, from
 * the shapes each kind declares (src/stages/declarations.ts). No TensorFlow.js here.
 */
import { totalmem } from 'node:os';
import { UserError } from '../core/errors.ts';
import type { ModelDims } from '../core/memoryNeeds.ts';
import { HEAP_MAX, RESERVE } from '../backend/kernels/heapGuard.ts';
import { estimateMemory, type BackendTraits, type MemoryEstimate } from '../model/memoryEstimate.ts';
import type { Plan, StageInstance } from '../pipeline/types.ts';
import { stageKind } from '../stages/index.ts';

export const SKIP_MEMORY_CHECK_ENV = 'DPO_RUN_SKIP_MEMORY_CHECK';

/** What an instance may use; `bytes` undefined: not checked (GPU memory, or the backend not chosen yet). */
export interface MemoryLimit {
  bytes?: number;
  /** `of the machine's 16 GB`, `of the wasm heap's 3.5 GB`, `GPU memory not checked`. */
  label: string;
  /** The backend's name, for the advice. */
  backend: string;
}

/**
 * The backend `name` (`wasm`, `native-cpu`, `cpu`, `tensorflow`, or a request:
 * `tensorflow-gpu`, `auto`) with `provider` when chosen; `inUse` bytes already held (the wasm heap).
 */
export function memoryLimit(name: string, provider = '', inUse = 0): MemoryLimit {
  if (name === 'tensorflow-gpu' || provider.endsWith('tfjs-node-gpu')) return { label: 'GPU memory not checked', backend: 'tensorflow-gpu' };
  if (name === 'auto') return { label: '(the limit is checked once the backend is chosen)', backend: name };
  if (name === 'wasm') {
    const bytes = HEAP_MAX - RESERVE - inUse;
    return { bytes, label: `of the wasm heap's ${gb(bytes)}`, backend: name }; // 4 GB less what the kernels keep for themselves and what tensors hold
  }
  return { bytes: totalmem() - inUse, label: `of the machine's ${gb(totalmem())}`, backend: name };
}

/** The fused kernels of native/ run on native-cpu and wasm; the others compose their ops (more intermediates). */
export function traitsOf(backend: string): BackendTraits {
  return { fusedKernels: backend === 'native-cpu' || backend === 'wasm' };
}

/** Each instance's estimate (undefined: it holds no model, or its model's shape is unknown before an upstream stage runs). */
export function estimatePlan(plan: Plan, traits: BackendTraits): Map<string, MemoryEstimate | undefined> {
  const dims = new Map<string, ModelDims | undefined>();
  const lengths = new Map<string, number | undefined>();
  const estimates = new Map<string, MemoryEstimate | undefined>();
  for (const instance of plan.instances) {
    const kind = stageKind(instance.kind);
    const modelOf = (path: string) => (instance.inputs[path] ?? []).map((id) => dims.get(id)).find((d) => d !== undefined);
    const lengthOf = (path: string) => {
      const bounds = (instance.inputs[path] ?? []).map((id) => lengths.get(id));
      return bounds.length > 0 && bounds.every((b) => b !== undefined) ? Math.max(...(bounds as number[])) : undefined;
    };
    dims.set(instance.id, kind?.modelDims?.(instance.settings, modelOf));
    lengths.set(instance.id, kind?.sequenceLength?.(instance.settings));
    const needs = kind?.memory?.(instance.settings, modelOf, lengthOf);
    estimates.set(instance.id, needs && estimateMemory(needs, traits));
  }
  return estimates;
}

/** `mem ~1.9 GB (weights 0.5, grads 0.5, optimizer 1.0, activations 0.3) of the machine's 16 GB`. */
export function describeMemory(estimate: MemoryEstimate, limit: MemoryLimit): string {
  const unit = estimate.total >= 2 ** 30 ? { size: 2 ** 30, name: 'GB' } : { size: 2 ** 20, name: 'MB' };
  const amount = (bytes: number) => { const v = bytes / unit.size; return v >= 10 ? v.toFixed(0) : v >= 0.1 ? v.toFixed(1) : v.toFixed(2); };
  const parts = (['weights', 'grads', 'optimizer', 'activations', 'caches'] as const).filter((p) => estimate[p] > 0).map((p) => `${p} ${amount(estimate[p])}`);
  const verdict = limit.bytes !== undefined && estimate.total > limit.bytes ? ': does not fit' : '';
  return `mem ~${amount(estimate.total)} ${unit.name} (${parts.join(', ')}) ${limit.label}${verdict}`;
}

/**
 * The instances of `runs` (those a run will compute) whose estimate exceeds `limit`, as one
 * error naming each, the estimate, the limit and what to change; undefined when all fit.
 */
export function memoryError(plan: Plan, runs: StageInstance[], limit: MemoryLimit): UserError | undefined {
  if (limit.bytes === undefined) return undefined;
  const estimates = estimatePlan(plan, traitsOf(limit.backend));
  const over = runs.filter((i) => (estimates.get(i.id)?.total ?? 0) > limit.bytes!);
  if (over.length === 0) return undefined;
  const lines = over.map((i) => `stage instance ${i.id} needs ${describeMemory(estimates.get(i.id)!, limit)}`);
  return new UserError(`${lines.join('\n')}\n(nothing was run)`, remedies(over[0], limit));
}

function remedies(instance: StageInstance, limit: MemoryLimit): string {
  const train = instance.settings.train as Record<string, unknown> | undefined;
  const path = `stages.${instance.stage}.train`;
  const options: string[] = [];
  if (train) {
    options.push(`set ${path}.micro_batch_size (activations for fewer sequences at once, same batch)`);
    options.push(`a smaller ${path}.batch_size (${train.batch_size} now)`);
  }
  if (instance.kind === 'ppo') options.push(`a smaller stages.${instance.stage}.minibatch_size`);
  options.push('a shorter context_length (the model: of the sft stage, or of the stage it starts from)');
  if (limit.backend === 'wasm') options.push('--backend native-cpu (the machine\'s memory, no 4 GB heap ceiling; npm run build:native)');
  options.push('a GPU (--backend tensorflow-gpu)');
  return `use ${options.join(', or ')}; or, if you know better, run anyway with ${SKIP_MEMORY_CHECK_ENV}=1 or --skip-memory-check`;
}

function gb(bytes: number): string {
  const value = bytes / 2 ** 30;
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(1)} GB`;
}
