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
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { keepFile } from '../core/io/keptFiles.ts';
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
  const stored = loadStored(file);
  if (stored) return stored;
  const { Ajv } = require('ajv') as typeof import('ajv');
  const standaloneCode = require('ajv/dist/standalone/index.js') as typeof import('ajv/dist/standalone/index.js');
  const ajv = new Ajv({ ...options, code: { ...options.code, source: true, esm: false } });
  const validate = ajv.compile(schema);
  const code = standaloneCode.default(ajv, validate).replace(/require\("(ajv\/[^"]+)"\)/g, (_, path: string) => `require(${JSON.stringify(require.resolve(path))})`);
  keepFile(dir, file, code, KEEP, '.cjs'); // its ajv runtime imports made absolute, so that it loads from anywhere
  return validate;
}

/**
 * A validator from the folder, compiled with V8's code cache (`<key>.cjs.v8`) when there is
 * one that V8 accepts: that skips parsing and compiling the generated code, which is most
 * of loading it. Without one, the code is compiled and the cache is written once the
 * validator has run (`saveValidatorCodeCaches`), so that it holds the functions a
 * validation needs, not only the top level. V8 refuses a cache made by another version or
 * with other flags, and the code is then compiled as usual.
 */
function loadStored(file: string): ValidateFunction | undefined {
  let code: string;
  try {
    code = readFileSync(file, 'utf8');
  } catch {
    return undefined; // not there yet, or unreadable: compile
  }
  const codeCache = `${file}.v8`;
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(codeCache);
  } catch {
    // no code cache yet
  }
  try {
    const script = new Script(Module.wrap(code), { filename: file, cachedData });
    const module = { exports: {} as unknown };
    (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
    if (typeof module.exports !== 'function') return undefined;
    if (!cachedData || script.cachedDataRejected) pendingCodeCaches.push({ script, file: codeCache });
    return module.exports as ValidateFunction;
  } catch {
    return undefined; // damaged, or its ajv runtime moved: compile
  }
}

const pendingCodeCaches: { script: Script; file: string }[] = [];

/** Writes V8's code cache of each validator loaded without one, after it has validated (./validate.ts calls it). */
export function saveValidatorCodeCaches(): void {
  for (const { script, file } of pendingCodeCaches.splice(0)) keepFile(dirname(file), file, script.createCachedData(), KEEP, '.v8');
}
