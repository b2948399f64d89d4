/**
 * The compiled validators kept on disk: the same verdicts, errors and defaults as a fresh
 * compile, loaded from the cache folder the second time, and compiled again when the file
 * there is damaged; with V8's code cache written after the first validation, and ignored
 * when V8 refuses it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { cachedValidator, saveValidatorCodeCaches } from '../../src/pipeline/validatorCache.ts';

const options = { allErrors: true, useDefaults: true, strict: true, verbose: true };
const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['beta'],
  properties: {
    beta: { type: 'number', exclusiveMinimum: 0, description: 'The temperature.' },
    loss: { enum: ['sigmoid', 'ipo'], default: 'sigmoid', description: 'The loss.' },
    train: { type: 'object', properties: { lr: { type: 'number', default: 0.001 } }, default: {} },
  },
};

describe('the validator cache', () => {
  let dir: string;
  const previous = process.env.DPO_RUN_VALIDATOR_CACHE;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-validators-'));
    process.env.DPO_RUN_VALIDATOR_CACHE = dir;
  });
  afterEach(() => {
    saveValidatorCodeCaches(); // none left pending for the next test's folder
    rmSync(dir, { recursive: true, force: true });
    if (previous === undefined) delete process.env.DPO_RUN_VALIDATOR_CACHE;
    else process.env.DPO_RUN_VALIDATOR_CACHE = previous;
  });

  it('gives the verdicts, errors and defaults of a fresh compile, from the file the second time', () => {
    const fresh = new Ajv(options).compile(schema);
    const first = cachedValidator(schema, options);
    assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.cjs')).length, 1);
    const second = cachedValidator(schema, options);
    assert.notEqual(second, first, 'loaded from the file');
    for (const validate of [first, second]) {
      const good = { beta: 0.1 };
      assert.equal(validate(good), true);
      assert.deepEqual(good, { beta: 0.1, loss: 'sigmoid', train: { lr: 0.001 } });
      const bad = { beta: -1, loss: 'hinge', extra: 1 };
      assert.equal(validate(bad), false);
      fresh(structuredClone(bad));
      const strip = (errors: typeof fresh.errors) => errors!.map(({ keyword, instancePath, params }) => ({ keyword, instancePath, params }));
      assert.deepEqual(strip(validate.errors), strip(fresh.errors));
      assert.ok(validate.errors!.every((e) => e.parentSchema !== undefined), 'verbose errors carry their schema');
    }
  });

  it('compiles again when the file in the cache is damaged', () => {
    cachedValidator(schema, options);
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file), 'module.exports = ');
    const validate = cachedValidator(schema, options);
    assert.equal(validate({ beta: 1 }), true);
  });

  it('writes V8\'s code cache once a validator from the folder has run, and ignores one V8 refuses', () => {
    cachedValidator(schema, options); // compiled: no code cache yet
    saveValidatorCodeCaches();
    assert.equal(readdirSync(dir).filter((name) => name.endsWith('.v8')).length, 0);
    const loaded = cachedValidator(schema, options);
    assert.equal(loaded({ beta: 2 }), true);
    saveValidatorCodeCaches();
    const [codeCache] = readdirSync(dir).filter((name) => name.endsWith('.v8'));
    assert.ok(codeCache, 'a code cache beside the validator');
    const withCache = cachedValidator(schema, options);
    const bad = { beta: 0 };
    assert.equal(withCache(bad), false);
    assert.equal(withCache.errors![0].keyword, 'exclusiveMinimum');
    writeFileSync(join(dir, codeCache), 'not a code cache');
    const refused = cachedValidator(schema, options);
    const good = { beta: 3 };
    assert.equal(refused(good), true);
    assert.equal((good as Record<string, unknown>).loss, 'sigmoid');
    // V8 consults a code cache only for code this process has not compiled: a new process
    // refuses the damaged one and writes it again.
    const validateOnce = `import { cachedValidator, saveValidatorCodeCaches } from './src/pipeline/validatorCache.ts';
      const ok = cachedValidator(${JSON.stringify(schema)}, ${JSON.stringify(options)})({ beta: 3 });
      saveValidatorCodeCaches();
      if (!ok) process.exit(1);`;
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', validateOnce], { env: process.env });
    assert.notEqual(readFileSync(join(dir, codeCache), 'utf8'), 'not a code cache');
  });
});
