/**
 * The wasm backend's heap ends at 4 GB, and its allocator (emscripten's emmalloc, as
 * tfjs-backend-wasm 4.22 is built) does not fail cleanly there: asked for memory it can only
 * find by growing past the ceiling, it hands out a region that runs past the end of memory
 * (its bookkeeping wraps around to low addresses), and some kernels later a malloc, free or
 * dispose_data traps ("memory access out of bounds") or aborts. A GPT-2-width model's stock
 * training step needs close to 3 GB of heap, so a process that already grew its heap (native
 * kernels, then stock ones) gets there.
 *
 * This guard watches the allocations TensorFlow.js makes for tensors: it counts the bytes
 * they hold, refuses one that could only be met by growing past the ceiling (more than the
 * heap's free space, less a reserve for the kernels' own allocations), and refuses a region
 * that did not fit, each with an error that says so, before anything is written.
 */
import { UserError } from '../../core/errors.ts';

interface WasmModuleWithMalloc {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(offset: number): void;
  /** The module's exports; `_malloc` and `_free` are thunks that replace themselves with these on first call. */
  asm: { malloc(size: number): number; free(offset: number): void };
}

/** emscripten's getHeapMax() for this build: 4 GB less one 64 KB page. */
export const HEAP_MAX = 2 ** 32 - 2 ** 16;
/** Kept free for what the kernels allocate themselves (XNNPACK's packed weights, scratch). */
export const RESERVE = 512 * 2 ** 20;

const guarded = new WeakSet<object>();

function heapFull(size: number, heapBytes: number): UserError {
  return new UserError(`the wasm backend's heap is full: ${(size / 2 ** 20).toFixed(1)} MB more do not fit in its ${(heapBytes / 2 ** 30).toFixed(2)} GB (4 GB at most)`,
    'run with --backend native-cpu (no heap ceiling; npm run build:native), or use smaller batches');
}

/** Checks the tensor allocations of the wasm backend `backend` from now on (once per module). */
export function guardWasmHeap(backend: unknown): void {
  const wasm = (backend as { wasm: WasmModuleWithMalloc }).wasm;
  if (guarded.has(wasm)) return;
  guarded.add(wasm);
  const { malloc, free } = wasm.asm;
  const sizes = new Map<number, number>();
  let held = 0;
  wasm._malloc = (size: number) => {
    const heap = wasm.HEAPU8.length;
    const mayGrowPastCeiling = heap + size > HEAP_MAX && held + size > heap - RESERVE;
    if (size > 0 && mayGrowPastCeiling) throw heapFull(size, heap);
    const offset = malloc(size) >>> 0;
    if (size > 0 && (offset === 0 || offset + size > wasm.HEAPU8.length)) throw heapFull(size, wasm.HEAPU8.length);
    sizes.set(offset, size);
    held += size;
    return offset;
  };
  wasm._free = (offset: number) => {
    held -= sizes.get(offset >>> 0) ?? 0;
    sizes.delete(offset >>> 0);
    free(offset);
  };
}
