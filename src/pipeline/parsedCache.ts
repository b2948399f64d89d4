/**
 * Parsed pipelines kept on disk between runs, so that loading a file seen before needs no
 * YAML parser. Parsing is what a clean `dpo-run validate` spends most on: the yaml library
 * takes 50-90 ms to load and tens of milliseconds more to parse a 7 KB pipeline while its
 * code is still cold. The data (`doc.toJS()`) of a file that parsed without a problem is
 * written as JSON into the user's cache folder (`~/.cache/dpo-run/parsed/`), named by the
 * hash of the text, the yaml library's version and the parse options, and read back the next time the same
 * text is loaded. Data that JSON cannot hold exactly (`.inf`, `.nan`) is not kept. Only a
 * clean load uses it: a pipeline with a problem is parsed again, for the positions its
 * diagnostics need (./index.ts). An unwritable cache folder only means parsing each time.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { keepFile } from '../core/io/keptFiles.ts';
import { userCacheDir } from '../core/userCacheDir.ts';
import { PARSE_OPTIONS } from './parseOptions.ts';

const require = createRequire(import.meta.url);
/** How many parsed files the folder keeps (the oldest go first). */
const KEEP = 200;

/** The folder of the parsed pipelines (tests point it elsewhere). */
export function parsedCacheDir(): string {
  return process.env.DPO_RUN_PARSE_CACHE ?? join(userCacheDir(), 'parsed');
}

function fileFor(text: string): string {
  const { version } = require('yaml/package.json') as { version: string };
  const key = createHash('sha256').update(`yaml ${version} ${JSON.stringify(PARSE_OPTIONS)}\n`).update(text).digest('hex').slice(0, 32);
  return join(parsedCacheDir(), `${key}.json`);
}

/** The data of `text` as parsed before, or undefined when it was not (or cannot be read). */
export function readParsed(text: string): unknown {
  try {
    return JSON.parse(readFileSync(fileFor(text), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Keeps the data parsed from `text` when JSON holds it exactly; gives up quietly. */
export function storeParsed(text: string, data: unknown): void {
  const json = JSON.stringify(data);
  if (json === undefined || !isDeepStrictEqual(JSON.parse(json), data)) return;
  keepFile(parsedCacheDir(), fileFor(text), json, KEEP, '.json');
}
