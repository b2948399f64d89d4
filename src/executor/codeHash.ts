/**
 * The code part of a fingerprint: a sha256 over the files that compute a stage's outputs,
 * `src/**\/*.ts`, the native kernels' sources (`native/src/**`, `native/build.mjs`) and
 * `package-lock.json` (the exact dependencies), each as its path and its bytes. Any edit to
 * them changes every fingerprint, so a changed loss never serves old results. Computed
 * once per process (about 1.5 MB of text, a few milliseconds).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder (this file is src/executor/codeHash.ts). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What counts as code, relative to the root: folders (with the names their files end in) and single files. */
const CODE: { path: string; endsWith?: string }[] = [
  { path: 'src', endsWith: '.ts' },
  { path: join('native', 'src') },
  { path: join('native', 'build.mjs') },
  { path: 'package-lock.json' },
];

/** The hex sha256 of the code under `root` (see the module comment). */
export function codeHash(root: string = PROJECT_ROOT): string {
  const hash = createHash('sha256');
  for (const { path, endsWith } of CODE) {
    for (const file of filesUnder(join(root, path), endsWith)) {
      const name = relative(root, file).split(sep).join('/');
      const bytes = readFileSync(file);
      hash.update(`${name}\0${bytes.length}\0`).update(bytes);
    }
  }
  return hash.digest('hex');
}

let cached: string | undefined;

/** codeHash() of this checkout, computed on first use. */
export function projectCodeHash(): string {
  cached ??= codeHash();
  return cached;
}

/** The files at `path` (itself when a file), sorted, whose names end in `endsWith`. */
function filesUnder(path: string, endsWith = ''): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .map((name) => join(path, name))
    .filter((file) => file.endsWith(endsWith) && statSync(file).isFile())
    .sort();
}
