/**
 * `dpo-run cache [--runs-dir DIR]`: the cache's size by kind, and the entries no run folder
 * uses. `dpo-run cache prune [--keep-last N | --older-than D] [--dry-run]`: deletes unused
 * entries (all of them, or all but the N newest, or those older than D: 30d, 12h, 45m),
 * never one a running job holds the lock of, nor a run's work folder (`.partial`).
 */
import { relative, resolve } from 'node:path';
import { EXIT, UserError } from '../core/errors.ts';
import { cacheUsage, pruneCache, type CacheEntryInfo } from '../executor/cacheUsage.ts';
import { formatTable } from './table.ts';

type Print = (text: string) => void;
const toStdout: Print = (text) => void process.stdout.write(text);

export async function cacheCommand(runsDir: string, stdout: Print = toStdout): Promise<number> {
  const root = resolve(runsDir);
  const usage = cacheUsage(root);
  if (usage.entries.length === 0 && usage.partial.length === 0) {
    stdout(`${usage.cacheDir}: empty\n`);
    return EXIT.ok;
  }
  const kinds = [...new Set(usage.entries.map((e) => e.kind))].sort();
  const rows = kinds.map((kind) => {
    const of = usage.entries.filter((e) => e.kind === kind);
    const unused = of.filter((e) => e.usedBy.length === 0);
    return [kind, String(of.length), formatBytes(total(of)), String(unused.length), formatBytes(total(unused))];
  });
  const unused = usage.entries.filter((e) => e.usedBy.length === 0);
  rows.push(['all', String(usage.entries.length), formatBytes(total(usage.entries)), String(unused.length), formatBytes(total(unused))]);
  stdout(`${usage.cacheDir}:\n` + formatTable(['kind', 'entries', 'size', 'unused', 'unused size'], rows));
  if (usage.partial.length > 0) {
    stdout(`${usage.partial.length} work folder(s) of running or interrupted stages (.partial), ${formatBytes(usage.partial.reduce((n, p) => n + p.bytes, 0))}: kept, a re-run resumes from them\n`);
  }
  if (unused.length > 0) {
    stdout(`\nentries no run folder uses (dpo-run cache prune deletes them):\n`);
    stdout(formatTable(['entry', 'size', 'completed'], unused.map((e) => [e.name, formatBytes(e.bytes), e.completed.toISOString().slice(0, 16).replace('T', ' ')])));
  }
  for (const file of usage.unreadable) stdout(`unreadable: ${file}\n`);
  return EXIT.ok;
}

export interface PruneArgs {
  keepLast?: string;
  olderThan?: string;
  dryRun: boolean;
}

export async function cachePruneCommand(runsDir: string, args: PruneArgs, stdout: Print = toStdout): Promise<number> {
  const root = resolve(runsDir);
  const keepLast = args.keepLast === undefined ? undefined : Number(args.keepLast);
  if (keepLast !== undefined && !(Number.isInteger(keepLast) && keepLast >= 0)) throw new UserError(`--keep-last ${args.keepLast}: not a whole number`, 'e.g. --keep-last 10');
  const olderThanMs = args.olderThan === undefined ? undefined : parseAge(args.olderThan);
  const result = pruneCache(root, { keepLast, olderThanMs, dryRun: args.dryRun });
  const verb = args.dryRun ? 'would delete' : 'deleted';
  for (const entry of result.deleted) stdout(`${verb} ${relative(process.cwd(), entry.dir) || entry.dir} (${formatBytes(entry.bytes)})\n`);
  for (const { entry, reason } of result.skipped) stdout(`kept ${entry.name}: ${reason}\n`);
  stdout(`${verb} ${result.deleted.length} unused entr${result.deleted.length === 1 ? 'y' : 'ies'}, ${formatBytes(total(result.deleted))}\n`);
  return EXIT.ok;
}

/** `30d`, `12h`, `45m`, `2w` -> milliseconds. */
export function parseAge(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([mhdw])$/.exec(text.trim());
  if (!match) throw new UserError(`--older-than ${text}: not an age`, 'a number and a unit: 45m, 12h, 30d or 2w');
  const unit = { m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 }[match[2] as 'm' | 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}

function total(entries: CacheEntryInfo[]): number {
  return entries.reduce((n, e) => n + e.bytes, 0);
}

/** `912 B`, `1.2 MB`, `3.4 GB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) [value, unit] = [value / 1000, unit + 1];
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
