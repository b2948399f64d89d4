/**
 * Reuses the memory of disposed tensors for new kernel outputs, as the wasm heap does. A
 * fresh ArrayBuffer of a few megabytes costs more in page faults than the kernel that fills
 * it (a 36 MB logits buffer: ~180 ms to fault in on a busy 2-core machine, ~5 ms to fill
 * once mapped), and a training step makes the same sizes every time, so a buffer goes back
 * to the pool when its tensor is disposed and the next output of that byte length takes it.
 *
 * Buffers of 64 KB and more come in size classes (eight per doubling, so at most 1/8 more
 * than asked for), so that shapes that change a little from step to step (batches padded to
 * their longest sequence, a growing prefix in generation) still find one; smaller ones are
 * cheap to allocate and are not pooled.
 *
 * Only buffers nothing else can see are reused: ones the native kernels allocated (owned),
 * whose values were never handed out (read by dataSync/data, or passed to a JavaScript
 * kernel, which may keep a view of them). The pool holds at most `capacity` bytes, dropping
 * the least recently released buffers first.
 */
export class BufferPool {
  private readonly owned = new WeakSet<ArrayBuffer>();
  private readonly exposed = new WeakSet<ArrayBuffer>();
  private readonly bySize = new Map<number, ArrayBuffer[]>();
  /** Every pooled buffer, oldest release first. */
  private readonly order = new Set<ArrayBuffer>();
  private pooledBytes = 0;

  constructor(private readonly capacity: number) {}

  /** A buffer of at least `bytes`, reused or new (uninitialised: the caller writes what it uses). */
  take(bytes: number): ArrayBuffer {
    const size = sizeClass(bytes);
    const reused = this.bySize.get(size)?.pop();
    if (reused) {
      this.order.delete(reused);
      this.pooledBytes -= size;
      return reused;
    }
    const buffer = uninitialised(size);
    if (bytes >= MIN_POOLED) this.owned.add(buffer);
    return buffer;
  }

  /** Marks the memory behind `values` as seen outside the native kernels: it is never reused. */
  expose(values: unknown): void {
    if (ArrayBuffer.isView(values)) this.exposed.add(values.buffer as ArrayBuffer);
  }

  /** Takes back the memory of a disposed tensor's values, when it is the pool's to reuse. */
  release(values: unknown): void {
    if (!ArrayBuffer.isView(values)) return;
    const buffer = values.buffer as ArrayBuffer;
    const bytes = buffer.byteLength;
    if (values.byteOffset !== 0 || !this.owned.has(buffer) || this.exposed.has(buffer) || this.order.has(buffer)) return;
    if (bytes < MIN_POOLED || bytes > this.capacity) return;
    this.order.add(buffer);
    this.pooledBytes += bytes;
    const list = this.bySize.get(bytes);
    if (list) list.push(buffer);
    else this.bySize.set(bytes, [buffer]);
    while (this.pooledBytes > this.capacity) this.dropOldest();
  }

  /** Bytes held for reuse now. */
  get bytes(): number {
    return this.pooledBytes;
  }

  private dropOldest(): void {
    const oldest = this.order.values().next().value as ArrayBuffer;
    this.order.delete(oldest);
    this.pooledBytes -= oldest.byteLength;
    const list = this.bySize.get(oldest.byteLength)!;
    list.splice(list.indexOf(oldest), 1);
    if (list.length === 0) this.bySize.delete(oldest.byteLength);
  }
}

/** Below this many bytes buffers are allocated as asked and not pooled. */
const MIN_POOLED = 2 ** 16;
/** Size classes per doubling. */
const CLASSES = 8;

/** `bytes` rounded up to its size class: 2^e (1 + k/8) for the smallest such at least `bytes` (64 KB and up). */
function sizeClass(bytes: number): number {
  if (bytes < MIN_POOLED) return bytes;
  const base = 2 ** Math.floor(Math.log2(bytes));
  const step = base / CLASSES;
  return Math.ceil(bytes / step) * step;
}

/** The largest buffer Buffer.allocUnsafeSlow gives (4 GiB in Node 20); larger ones are zero-filled ArrayBuffers. */
const MAX_UNSAFE_BYTES = 2 ** 32;

/** `bytes` of memory, not zero-filled when the platform allows it. */
function uninitialised(bytes: number): ArrayBuffer {
  if (bytes > MAX_UNSAFE_BYTES) return new ArrayBuffer(bytes);
  return Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer; // its own ArrayBuffer, exactly `bytes` long
}
