/**
 * `dpo-run verify [RUN_OR_CACHE_DIR]`: checks the cache entries of a run folder (those its
 * manifest lists as finished), of a cache folder (every entry in it) or one entry, file by
 * file against the sizes and sha256 their `cache-entry.json` records. Prints each damaged
 * file; exits 0 when nothing is damaged, 1 otherwise. A damaged entry is never used: the
 * next run of its stage runs it again.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT, UserError } from '../core/errors.ts';
import type { ManifestData } from '../core/manifestRecord.ts';
import { checkEntry, ENTRY_FILE } from '../executor/cache.ts';

export interface VerifyOutput {
  stdout(text: string): void;
}

const processOutput: VerifyOutput = { stdout: (text) => void process.stdout.write(text) };

export async function verifyCommand(target: string, output: VerifyOutput = processOutput): Promise<number> {
  const entries = entriesOf(resolve(target));
  let damaged = 0;
  for (const dir of entries) {
    const check = existsSync(dir) ? checkEntry(dir, { hashes: true }) : ({ status: 'damaged', problems: ['the entry folder is missing'] } as const);
    const problems = check.status === 'damaged' ? check.problems : check.status === 'absent' ? [`${ENTRY_FILE}: missing (not a finished entry)`] : [];
    if (problems.length > 0) damaged++;
    for (const problem of problems) output.stdout(`damaged: ${join(dir, problem)}\n`);
  }
  output.stdout(`${entries.length} cache entr${entries.length === 1 ? 'y' : 'ies'} checked, ${damaged} damaged${damaged > 0 ? ' (a run uses none of them: it runs their stages again)' : ''}\n`);
  return damaged > 0 ? EXIT.stageFailed : EXIT.ok;
}

/** The entry folders `target` stands for: a run folder's finished outputs, a cache folder's entries, or one entry. */
function entriesOf(target: string): string[] {
  if (!existsSync(target) || !statSync(target).isDirectory()) {
    throw new UserError(`${target} is not a folder`, 'dpo-run verify RUN_DIR, or a cache folder (runs/cache), or one entry in it');
  }
  if (existsSync(join(target, 'manifest.json'))) return runEntries(join(target, 'manifest.json'));
  if (existsSync(join(target, ENTRY_FILE))) return [target];
  const cache = existsSync(join(target, 'cache')) ? join(target, 'cache') : target;
  const entries = readdirSync(cache)
    .filter((name) => !/\.(partial|lock)$|\.replaced-/.test(name))
    .map((name) => join(cache, name))
    .filter((dir) => statSync(dir).isDirectory() && existsSync(join(dir, ENTRY_FILE)));
  if (entries.length === 0) throw new UserError(`${target} holds no cache entries`, 'name a run folder, a cache folder (runs/cache) or one entry in it');
  return entries.sort();
}

function runEntries(file: string): string[] {
  let manifest: ManifestData;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file}: not a readable manifest (${(error as Error).message})`, undefined, EXIT.stageFailed);
  }
  const finished = Object.values(manifest.instances ?? {}).filter((r) => r.status === 'done' || r.status === 'cached');
  return [...new Set(finished.map((r) => r.output))];
}
