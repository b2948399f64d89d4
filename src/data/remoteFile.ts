/**
 * A data file given by URL (a source's `path: https://...`), downloaded once into the
 * user's cache folder (src/core/io/urlFile.ts says where) and read from there afterwards
 * without the network. The download is atomic (src/data/download.ts: a temporary name,
 * then a rename), so a failed or interrupted one leaves nothing under the cached name.
 *
 * Offline (DPO_RUN_OFFLINE=1 or HF_HUB_OFFLINE=1 set, or the host unreachable) a file not
 * in the cache is a StageError of one line: the URL, the cache path it is missing from,
 * and what to do (download it by hand and give its local path).
 */
import { mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StageError } from '../core/errors.ts';
import { isUrl, urlCachePath } from '../core/io/urlFile.ts';
import { userCacheDir } from '../core/userCacheDir.ts';
import { downloadFailure, downloadFile } from './download.ts';
import type { SourceEnv } from './sources/types.ts';

/** The environment variables that forbid downloads, as Hugging Face's libraries read HF_HUB_OFFLINE. */
export const OFFLINE_VARIABLES = ['DPO_RUN_OFFLINE', 'HF_HUB_OFFLINE'] as const;

/** Error codes of a host that cannot be reached at all (no DNS, no route, nothing listening): offline, for the message. */
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENETDOWN']);

/**
 * The local file to read for `path`: `path` itself when it is not an http(s) URL, else
 * the cached download of the URL, downloading it first when the cache lacks it.
 */
export async function localDataPath(path: string, env: SourceEnv, cacheDir: string = userCacheDir()): Promise<string> {
  if (!isUrl(path)) return path;
  const cached = urlCachePath(path, cacheDir);
  if ((await stat(cached).catch(() => undefined))?.isFile()) return cached;

  const offline = offlineVariable();
  if (offline) throw notCached(path, cached, `offline: ${offline} is set`);

  await mkdir(dirname(cached), { recursive: true });
  await removeAbandonedDownloads(cached);
  env.log(`downloading ${path} (once) into ${cached}`);
  try {
    await downloadFile(path, cached, env);
  } catch (err) {
    await rmdir(dirname(cached)).catch(() => {}); // the URL's folder, when the failed download left it empty
    const reason = downloadFailure(err);
    if (UNREACHABLE.has(failureCode(err))) throw notCached(path, cached, `offline? ${reason}`);
    throw new StageError(
      `cannot download ${path} (${reason}); nothing was saved in the cache: check the URL, or download the file by hand and give its local path as the source's path`,
    );
  }
  return cached;
}

/**
 * Removes the temporary files of downloads to `cached` whose process has ended (a run
 * killed mid-download leaves `<name>.tmp-<pid>-<random>`); those of a live process stay.
 */
async function removeAbandonedDownloads(cached: string): Promise<void> {
  const prefix = `${basename(cached)}.tmp-`;
  for (const name of await readdir(dirname(cached))) {
    const pid = Number(/^(\d+)-[0-9a-z]+$/.exec(name.startsWith(prefix) ? name.slice(prefix.length) : '')?.[1]);
    if (pid > 0 && !isAlive(pid)) await rm(join(dirname(cached), name), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/** The offline variable that is set (to anything but empty, 0 or false), if any. */
export function offlineVariable(): string | undefined {
  return OFFLINE_VARIABLES.map((name) => (/^(|0|false|no)$/i.test(process.env[name] ?? '') ? undefined : `${name}=${process.env[name]}`)).find(Boolean);
}

function notCached(url: string, cached: string, why: string): StageError {
  return new StageError(`cannot download ${url} (${why}) and it is not in the cache at ${cached}: download it by hand and give its local path as the source's path, or save it at that cache path`);
}

/** The system error code under a failed fetch (`cause.code`, or that of the first of an AggregateError's errors). */
function failureCode(err: unknown): string {
  const cause = (err as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
  return cause?.code ?? cause?.errors?.[0]?.code ?? '';
}
