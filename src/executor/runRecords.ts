/**
 * The runs under a runs folder, as their manifests describe them: `<runs>/<pipeline>/<run>/`
 * and the runs of each sweep folder (`<runs>/<pipeline>/sweep-*\/<run>/`). The cache folder
 * holds no runs. Read only: a manifest that cannot be read is reported, not repaired.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ManifestData } from '../core/manifestRecord.ts';
import { MANIFEST_FILE } from './manifest.ts';

export interface RunRecord {
  /** The run folder. */
  dir: string;
  /** Its sweep folder, when it is one run of a command-line sweep. */
  sweepDir?: string;
  manifest: ManifestData;
}

/** Every run folder under `runsDir` (and its sweep folders), oldest first; `unreadable` lists manifests that do not parse. */
export function findRuns(runsDir: string): { runs: RunRecord[]; unreadable: string[] } {
  const runs: RunRecord[] = [];
  const unreadable: string[] = [];
  const add = (dir: string, sweepDir?: string) => {
    try {
      runs.push({ dir, ...(sweepDir ? { sweepDir } : {}), manifest: JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as ManifestData });
    } catch {
      unreadable.push(join(dir, MANIFEST_FILE));
    }
  };
  for (const pipeline of foldersIn(runsDir)) {
    if (basename(pipeline) === 'cache') continue;
    for (const dir of foldersIn(pipeline)) {
      if (existsSync(join(dir, MANIFEST_FILE))) add(dir);
      else if (existsSync(join(dir, 'sweep.json'))) for (const run of foldersIn(dir)) if (existsSync(join(run, MANIFEST_FILE))) add(run, dir);
    }
  }
  runs.sort((a, b) => a.manifest.started.localeCompare(b.manifest.started));
  return { runs, unreadable };
}

/** The runs a folder stands for: itself (a run folder), or each run of a sweep folder. */
export function runsOf(folder: string): RunRecord[] {
  if (existsSync(join(folder, MANIFEST_FILE))) return [{ dir: folder, manifest: JSON.parse(readFileSync(join(folder, MANIFEST_FILE), 'utf8')) }];
  if (!existsSync(join(folder, 'sweep.json'))) return [];
  return foldersIn(folder)
    .filter((dir) => existsSync(join(dir, MANIFEST_FILE)))
    .map((dir) => ({ dir, sweepDir: folder, manifest: JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as ManifestData }));
}

function foldersIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => {
      try {
        return statSync(path).isDirectory();
      } catch {
        return false;
      }
    });
}
