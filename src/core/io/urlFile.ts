/**
 * Data files given by URL: which paths are URLs, and where the user's cache keeps the
 * file downloaded from one. Pure (no network): validating a pipeline and fingerprinting
 * a stage use it without fetching anything; src/data/remoteFile.ts downloads.
 *
 * The cache keeps one file per URL at `<cacheDir>/downloads/<hash>/<name>`: `hash` the
 * first 16 hex digits of the URL's sha256, `name` the last segment of the URL's path
 * (so that `.gz`, `.jsonl` and `.csv` are read as such), query and fragment left out.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { safeName } from './safeName.ts';

/** Whether `path` is an http(s) URL rather than a local path. */
export function isUrl(path: string): boolean {
  return /^https?:\/\//i.test(path);
}

/** The file name a download from `url` keeps: the last segment of its path (`train.jsonl.gz`), else `download`. */
export function urlFileName(url: string): string {
  let segment = '';
  try {
    segment = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  } catch {
    segment = url.split(/[?#]/)[0].split('/').pop() ?? '';
  }
  return segment === '' || segment === '.' || segment === '..' ? 'download' : safeName(segment);
}

/** Where the cache folder `cacheDir` keeps the file downloaded from `url`. */
export function urlCachePath(url: string, cacheDir: string): string {
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 16);
  return join(cacheDir, 'downloads', hash, urlFileName(url));
}
