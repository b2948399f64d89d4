import { homedir } from 'node:os';
import { join } from 'node:path';

/** The user's cache folder for dpo-run: $XDG_CACHE_HOME/dpo-run, else ~/.cache/dpo-run. */
export function userCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'dpo-run');
}
