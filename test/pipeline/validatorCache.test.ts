/**
 * The compiled validators kept on disk: the same verdicts, errors and defaults as a fresh
 * compile, loaded from the cache folder the second time, and compiled again when the file
 * there is damaged.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { cachedValidator } from '../../src/pipeline/validatorCache.ts';

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
    rmSync(dir, { recursive: true, force: true });
    if (previous === undefined) delete process.env.DPO_RUN_VALIDATOR_CACHE;
    else process.env.DPO_RUN_VALIDATOR_CACHE = previous;
  });

  it('gives the verdicts, errors and defaults of a fresh compile, from the file the second time', () => {
    const fresh = new Ajv(options).compile(schema);
    const first = cachedValidator(schema, options);
    assert.equal(readdirSync(dir).length, 1);
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
});
