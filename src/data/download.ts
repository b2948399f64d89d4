/**
 * Downloads a URL to a file, with progress in megabytes, atomically (a partial download
 * never sits under the final name), giving up when the connection stalls.
 */
import { createWriteStream } from 'node:fs';
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
  const out = createWriteStream(tmp);
  try {
    const response = await fetch(url, { signal: abort.signal });
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} ${response.statusText}`);
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
    out.destroy();
    await rm(tmp, { force: true });
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
