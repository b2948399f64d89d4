// What dist/ was compiled from, cheaply: every folder and file under src/ with its
// modification time in milliseconds (and a file's size). scripts/build.mjs records them in
// dist/build-stamp.json; bin/dpo-run.js runs dist/ only while each still has the stamp it
// was built with: an edit changes a file's, and a new, deleted or renamed file its folder's.
// One stat per path (about 300), no folder listing: a few milliseconds.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The file in dist/ that names the sources it was built from. */
export const STAMP_FILE = 'build-stamp.json';

/** The paths under `<root>/src`, relative to the root, folders first; src/ itself included. */
export function sourcePaths(root) {
  const paths = [];
  const visit = (path) => {
    paths.push(path);
    for (const entry of readdirSync(join(root, path), { withFileTypes: true })) {
      if (entry.isDirectory()) visit(join(path, entry.name));
      else paths.push(join(path, entry.name));
    }
  };
  visit('src');
  return paths;
}

/** `mtime:size` of each path, joined; null when one is gone. */
export function stampOf(root, paths) {
  const parts = [];
  for (const path of paths) {
    const stat = statSync(join(root, path), { throwIfNoEntry: false });
    if (!stat) return null;
    const mtime = Math.trunc(stat.mtimeMs); // whole milliseconds: what a copy that keeps times keeps
    parts.push(stat.isDirectory() ? `${mtime}` : `${mtime}:${stat.size}`);
  }
  return parts.join(' ');
}

/** Whether `<root>/dist` holds a finished build of `<root>/src` as it is now. */
export function distIsCurrent(root) {
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(join(root, 'dist', STAMP_FILE), 'utf8'));
  } catch {
    return false;
  }
  return Array.isArray(recorded.paths) && stampOf(root, recorded.paths) === recorded.stamp;
}
