/**
 * A stage instance's fingerprint: the sha256 of its kind, resolved settings, the
 * fingerprints of the instances it uses (by reference path), its seed, the code (the
 * project's version and the hash of its sources, ./codeHash.ts) and the identity of the
 * data files it reads from outside the cache, as canonical JSON (object keys sorted).
 * Equal fingerprints mean equal outputs, so the cache may reuse them.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isUrl } from '../core/io/urlFile.ts';
import { stageKind } from '../stages/index.ts';
import type { StageInstance } from '../pipeline/types.ts';
import { projectCodeHash } from './codeHash.ts';

/** The version in package.json. */
export const projectVersion: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

/** The code that computes every stage: `<version> <sha256 of the sources>`. Any edit to them invalidates every cache entry. */
export function codeVersion(): string {
  return `${projectVersion} ${projectCodeHash()}`;
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) sorted[key] = sortKeys(v);
    }
    return sorted;
  }
  return value;
}

/**
 * The full hex sha256 of an instance. `upstream` maps each upstream instance id to its
 * fingerprint (instances come in dependency order, so every id is already known).
 */
export function fingerprintOf(
  instance: StageInstance,
  upstream: ReadonlyMap<string, string>,
  code: string = codeVersion(),
): string {
  const inputs: Record<string, string[]> = {};
  for (const [path, ids] of Object.entries(instance.inputs)) {
    inputs[path] = ids.map((id) => {
      const fp = upstream.get(id);
      if (fp === undefined) throw new Error(`instance ${instance.id} uses ${id}, which comes later in the plan`);
      return fp;
    });
  }
  const files = (stageKind(instance.kind)?.externalPaths?.(instance.settings) ?? []).map(fileIdentity);
  const identity = { kind: instance.kind, settings: instance.settings, inputs, seed: instance.seed, code, ...(files.length ? { files } : {}) };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex');
}

/** Fingerprints every instance of a plan, in order. */
export function fingerprintAll(instances: readonly StageInstance[], code: string = codeVersion()): Map<string, string> {
  const fingerprints = new Map<string, string>();
  for (const instance of instances) fingerprints.set(instance.id, fingerprintOf(instance, fingerprints, code));
  return fingerprints;
}

/**
 * What identifies a file outside the cache: its size and modification time; for a folder,
 * those of the files directly in it (an aclImdb folder's subfolders count by their own
 * times). A missing path is identified as missing (the stage reports the error); a URL
 * by itself.
 */
function fileIdentity(path: string): unknown {
  if (isUrl(path)) return { url: path }; // downloaded once into the user's cache and never refreshed: the URL names the file
  const full = resolve(path);
  try {
    const stat = statSync(full);
    if (!stat.isDirectory()) return { path: full, size: stat.size, mtime: stat.mtimeMs };
    const entries = readdirSync(full).sort().map((name) => {
      const s = statSync(join(full, name));
      return [name, s.size, s.mtimeMs];
    });
    return { path: full, entries };
  } catch {
    return { path: full, missing: true };
  }
}
