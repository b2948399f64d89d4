/**
 * The files of a cache entry as `cache-entry.json` records them (relative path, size,
 * sha256), and the checks against that record: sizes and existence on every use (cheap),
 * hashes on demand (`dpo-run verify`). Temporary files (a write cut short by a kill) are
 * removed from a work folder, never recorded.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, lstatSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { isTemporaryName } from '../core/io/temporaryName.ts';

export interface EntryFile {
  /** Relative to the entry's folder, with `/` separators. */
  path: string;
  size: number;
  sha256: string;
}

/** The relative paths of the regular files under `dir`, sorted, leaving out `except` (names at the top). */
function filesUnder(dir: string, except: readonly string[]): string[] {
  const files: string[] = [];
  const visit = (relative: string) => {
    for (const name of readdirSync(join(dir, relative)).sort()) {
      const path = relative ? `${relative}/${name}` : name;
      if (!relative && except.includes(name)) continue;
      const stat = lstatSync(join(dir, path));
      if (stat.isDirectory()) visit(path);
      else if (stat.isFile()) files.push(path);
    }
  };
  visit('');
  return files;
}

/** The hex sha256 of a file, read in chunks. */
export function sha256Of(file: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, 'r');
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** The record of every file under `dir` (but the `except` names at its top). */
export function describeFiles(dir: string, except: readonly string[]): EntryFile[] {
  return filesUnder(dir, except).map((path) => {
    const file = join(dir, ...path.split('/'));
    return { path, size: statSync(file).size, sha256: sha256Of(file) };
  });
}

/**
 * What is wrong with the files under `dir` against their record, one line each
 * (`model/model.safetensors: 10 bytes, recorded 2048`); empty when nothing is. Sizes and
 * existence always; the contents' sha256 too when `hashes`.
 */
export function checkFiles(dir: string, files: readonly EntryFile[], hashes: boolean): string[] {
  const problems: string[] = [];
  for (const { path, size, sha256 } of files) {
    const file = join(dir, ...path.split('/'));
    let actual: number;
    try {
      actual = statSync(file).size;
    } catch {
      problems.push(`${path}: missing`);
      continue;
    }
    if (actual !== size) problems.push(`${path}: ${actual} bytes, recorded ${size}`);
    else if (hashes && sha256Of(file) !== sha256) problems.push(`${path}: its content changed (sha256 differs from the record)`);
  }
  return problems;
}

/** Removes the temporary files and folders under `dir` (left by writes cut short); returns their relative paths. */
export function removeTemporaryFiles(dir: string): string[] {
  const removed: string[] = [];
  const visit = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (isTemporaryName(name)) {
        rmSync(path, { recursive: true, force: true });
        removed.push(path.slice(dir.length + 1).split(sep).join('/'));
      } else if (lstatSync(path).isDirectory()) {
        visit(path);
      }
    }
  };
  visit(dir);
  return removed.sort();
}

/**
 * Removes what `patterns` name under `dir` (paths relative to it, `/`-separated, where a `*`
 * segment matches any one name); returns the relative paths removed.
 */
export function removeMatching(dir: string, patterns: readonly string[]): string[] {
  const removed: string[] = [];
  const visit = (folder: string, segments: string[]) => {
    const [first, ...rest] = segments;
    if (!existsSync(folder) || !lstatSync(folder).isDirectory()) return;
    for (const name of first === '*' ? readdirSync(folder) : [first]) {
      const path = join(folder, name);
      if (!existsSync(path)) continue;
      if (rest.length > 0) visit(path, rest);
      else {
        rmSync(path, { recursive: true, force: true });
        removed.push(path.slice(dir.length + 1).split(sep).join('/'));
      }
    }
  };
  for (const pattern of patterns) visit(dir, pattern.split('/'));
  return removed.sort();
}
