/**
 * mkdir -p with the true reason when it fails: Node's recursive mkdir reports ENOENT for
 * the full path when a parent cannot be made (on a read-only file system, without
 * permission), so the first missing parent is made again alone to get its own error.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export function makeFolder(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    let missing = path;
    while (!existsSync(dirname(missing)) && dirname(missing) !== missing) missing = dirname(missing);
    mkdirSync(missing); // throws the real error (EROFS, EACCES, ENOTDIR) naming the folder
    throw error;
  }
}
