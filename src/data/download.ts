/**
 * Downloads a URL to a file, with progress in megabytes, atomically (a partial download
 * never sits under the final name), giving up when the connection stalls.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { temporaryPath } from '../core/io/atomicFile.ts';
import type { SourceEnv } from './sources/types.ts';

/** Give up when no byte arrives for this long. */
const STALL_MS = 60_000;
const MB = 1024 * 1024;

/** Downloads `url` to `dest`. Throws a plain Error (with the reason) when it cannot. */
export async function downloadFile(url: string, dest: string, env: SourceEnv, expectedBytes = 0): Promise<void> {
  const abort = new AbortController();
  let stall = setTimeout(() => abort.abort(new Error(`no data for ${STALL_MS / 1000} s`)), STALL_MS);
  const tmp = temporaryPath(dest);
  let out: WriteStream | undefined; // opened once the server answers: a failed request leaves no file
  try {
    const response = await fetch(url, { signal: abort.signal });
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    out = createWriteStream(tmp);
    const total = Number(response.headers.get('content-length')) || expectedBytes;
    env.progress.start(Math.ceil(total / MB), `download ${url} (MB)`);
    let received = 0;
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      clearTimeout(stall);
      stall = setTimeout(() => abort.abort(new Error(`no data for ${STALL_MS / 1000} s`)), STALL_MS);
      if (!out.write(chunk)) await once(out, 'drain');
      received += chunk.byteLength;
      env.progress.update(Math.floor(received / MB));
    }
    out.end();
    await once(out, 'finish');
    await rename(tmp, dest);
  } catch (err) {
    if (out) {
      // The file opens asynchronously: wait until the stream has closed, or the removal
      // below could run before the open and leave the file behind.
      const closed = out.closed ? Promise.resolve() : once(out, 'close').then(() => undefined, () => undefined);
      out.destroy();
      await closed;
      await rm(tmp, { force: true });
    }
    throw err;
  } finally {
    clearTimeout(stall);
    env.progress.stop();
  }
}

/** The reason a fetch failed, in words (Node's fetch hides it in `cause`: ECONNREFUSED, ENOTFOUND). */
export function downloadFailure(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
  return [(err as Error).message, cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message].filter(Boolean).join(': ');
}
