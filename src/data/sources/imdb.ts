/**
 * The `imdb` source: the Stanford aclImdb_v1 archive (Maas et al., 2011), downloaded
 * once into the user's cache folder, extracted there with the system `tar`, then read
 * as an aclimdb folder. Offline, it fails with a UserError naming the sources that need
 * no network.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StageError, UserError } from '../../core/errors.ts';
import { downloadFailure, downloadFile } from '../download.ts';
import type { ImdbSource } from '../settings.ts';
import { readAclImdbFolder } from './aclimdb.ts';
import type { Source, SourceEnv } from './types.ts';
import { userCacheDir } from '../../core/userCacheDir.ts';

/** The archive's size, for the progress bar when the server does not say. */
const ARCHIVE_BYTES = 84_125_825;
/** Written in the extracted folder when extraction finished (a folder without it is half done). */
const COMPLETE_MARK = '.dpo-run-complete';

export { userCacheDir };

export const imdb: Source<ImdbSource> = {
  describe: (s) => `imdb: ${s.url} (${s.splits.join(', ')}${s.unsup ? ', unsup' : ''})`,

  async *read(s, env) {
    const folder = await ensureAclImdb(s.url, s.cache_dir ?? userCacheDir(), env);
    yield* readAclImdbFolder(folder, s.splits, s.unsup, env);
  },
};

/** The extracted aclImdb folder in `cacheDir`, downloading and extracting the archive if it is not there yet. */
export async function ensureAclImdb(url: string, cacheDir: string, env: SourceEnv): Promise<string> {
  const folder = join(cacheDir, 'aclImdb');
  if (await exists(join(folder, COMPLETE_MARK))) return folder;

  await mkdir(cacheDir, { recursive: true });
  const archive = join(cacheDir, 'aclImdb_v1.tar.gz');
  if (!(await exists(archive))) {
    env.log(`downloading the aclImdb archive (84 MB, once) from ${url} into ${cacheDir}`);
    try {
      await downloadFile(url, archive, env, ARCHIVE_BYTES);
    } catch (err) {
      throw new UserError(
        `cannot download the aclImdb archive from ${url} (${downloadFailure(err)})`,
        'Without network access, use another dataset source: aclimdb (a local aclImdb folder), jsonl or csv (local files), or bundled (review sentences shipped with the sentiment package).',
      );
    }
  }

  env.log(`extracting ${archive}`);
  const work = await mkdtemp(join(cacheDir, 'extract-'));
  try {
    await promisify(execFile)('tar', ['-xzf', archive, '-C', work]);
    await writeFile(join(work, 'aclImdb', COMPLETE_MARK), new Date().toISOString());
    await rm(folder, { recursive: true, force: true }); // a half-extracted folder from an interrupted run
    await rename(join(work, 'aclImdb'), folder);
  } catch (err) {
    throw new StageError(`cannot extract ${archive}: ${(err as Error).message}`, `Delete ${archive} and run again to download it afresh.`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  await rm(archive, { force: true });
  return folder;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}
