/**
 * Compiled schema validators kept on disk between runs. Compiling the schemas of every
 * stage kind is most of what `dpo-run validate` takes (ajv generates and compiles code
 * for each); ajv's standalone code for a schema is written once into the user's cache
 * folder (`~/.cache/dpo-run/validators/`), named by the hash of the schema, ajv's version
 * and location, and the options, and loaded from there afterwards. Any change to a schema
 * is a new name, so a stale validator is never used; an unwritable cache folder only
 * means compiling each time. ajv itself (its compiler: a tenth of a second to load) is
 * loaded only to compile; a validator from the folder needs only ajv's small runtime.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Options, ValidateFunction } from 'ajv';
import { userCacheDir } from '../core/userCacheDir.ts';
import type { JsonSchema } from '../core/stageContract.ts';

const require = createRequire(import.meta.url);
const AJV = require.resolve('ajv');
const AJV_VERSION = (require('ajv/package.json') as { version: string }).version;
/** How many compiled validators the folder keeps (the oldest go first). */
const KEEP = 100;

/** The folder of the compiled validators (tests point it elsewhere). */
export function validatorCacheDir(): string {
  return process.env.DPO_RUN_VALIDATOR_CACHE ?? join(userCacheDir(), 'validators');
}

/** The validator of `schema` with these ajv options: from the cache folder, or compiled (and then stored there). */
export function cachedValidator(schema: JsonSchema, options: Options): ValidateFunction {
  const dir = validatorCacheDir();
  const key = createHash('sha256').update(JSON.stringify({ AJV, AJV_VERSION, options, schema })).digest('hex').slice(0, 24);
  const file = join(dir, `${key}.cjs`);
  try {
    return require(file) as ValidateFunction;
  } catch {
    // not there yet, or unreadable: compile
  }
  const { Ajv } = require('ajv') as typeof import('ajv');
  const standaloneCode = require('ajv/dist/standalone/index.js') as typeof import('ajv/dist/standalone/index.js');
  const ajv = new Ajv({ ...options, code: { ...options.code, source: true, esm: false } });
  const validate = ajv.compile(schema);
  store(dir, file, standaloneCode.default(ajv, validate));
  return validate;
}

/** Writes the code (its ajv runtime imports made absolute, so that it loads from anywhere), atomically; gives up quietly. */
function store(dir: string, file: string, code: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    const absolute = code.replace(/require\("(ajv\/[^"]+)"\)/g, (_, path: string) => `require(${JSON.stringify(require.resolve(path))})`);
    const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temporary, absolute);
    renameSync(temporary, file);
    forgetOldest(dir);
  } catch {
    // an unwritable cache folder: compile again next time
  }
}

function forgetOldest(dir: string): void {
  const files = readdirSync(dir).filter((name) => name.endsWith('.cjs'));
  if (files.length <= KEEP) return;
  const byAge = files.map((name) => ({ name, mtime: statSync(join(dir, name)).mtimeMs })).sort((a, b) => a.mtime - b.mtime);
  for (const { name } of byAge.slice(0, files.length - KEEP)) unlinkSync(join(dir, name));
}
