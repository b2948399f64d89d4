/**
 * The `aclimdb` source: a local folder in the layout of the Stanford Large Movie Review
 * Dataset (Maas et al., 2011): train/{neg,pos,unsup} and test/{neg,pos}, one review per
 * `<id>_<rating>.txt` file. Labels: neg = 0, pos = 1, unsup unlabelled. Rows come split
 * by split, then folder (neg, pos, unsup), then file id.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StageError } from '../../core/errors.ts';
import type { AclImdbSource, Split } from '../settings.ts';
import type { Source, SourceEnv, SourceRow } from './types.ts';

const FOLDERS = [
  { name: 'neg', label: 0 },
  { name: 'pos', label: 1 },
] as const;

const LAYOUT_HINT = 'An aclImdb folder holds train/{pos,neg,unsup} and test/{pos,neg} folders of <id>_<rating>.txt files.';

/** Files read at once. */
const CONCURRENCY = 64;

export const aclimdb: Source<AclImdbSource> = {
  describe: (s) => `aclimdb: ${s.path} (${s.splits.join(', ')}${s.unsup ? ', unsup' : ''})`,
  read: (s, env) => readAclImdbFolder(s.path, s.splits, s.unsup, env),
};

/** The reviews of an aclImdb folder (also what the `imdb` source reads once it has the archive). */
export async function* readAclImdbFolder(root: string, splits: Split[], unsup: boolean, env: SourceEnv): AsyncGenerator<SourceRow> {
  if (!(await isFolder(root))) throw new StageError(`${root}: no such folder`, LAYOUT_HINT);
  for (const split of splits) {
    const folders: { name: string; label?: number }[] = [...FOLDERS, ...(unsup && split === 'train' ? [{ name: 'unsup' }] : [])];
    for (const { name, label } of folders) {
      const dir = join(root, split, name);
      const files = await reviewFiles(dir);
      for (let i = 0; i < files.length; i += CONCURRENCY) {
        const texts = await Promise.all(files.slice(i, i + CONCURRENCY).map((f) => readFile(join(dir, f), 'utf8')));
        for (const text of texts) yield label === undefined ? { text, split } : { text, label, split };
        await env.tick();
      }
    }
  }
}

/** The `<id>_<rating>.txt` files of `dir`, by id. */
async function reviewFiles(dir: string): Promise<string[]> {
  if (!(await isFolder(dir))) throw new StageError(`${dir}: no such folder`, LAYOUT_HINT);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.txt'));
  const ids = new Map<string, number>();
  for (const f of files) {
    const match = /^(\d+)_(\d+)\.txt$/.exec(f);
    if (!match) throw new StageError(`${join(dir, f)}: not named <id>_<rating>.txt`, LAYOUT_HINT);
    ids.set(f, Number(match[1]));
  }
  return files.sort((a, b) => ids.get(a)! - ids.get(b)!);
}

async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
