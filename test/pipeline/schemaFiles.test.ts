/**
 * The schemas and the types agree with the registry: the committed generated files are
 * what `npm run schemas` makes now, and every schema property says what it is.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { editorSchema, stageSchema } from '../../src/pipeline/schema.ts';
import { generateSchemaFiles, SETTINGS_DIR } from '../../scripts/schemaFiles.ts';
import { stageKinds } from '../../src/stages/index.ts';
import type { StageKind } from '../../src/core/stageContract.ts';
import { toyEval, toyModel, toySource } from './toyKinds.ts';

/** The JSON pointers of every property schema without a description (`if` conditions are not properties). */
function undescribed(schema: unknown, at = ''): string[] {
  if (Array.isArray(schema)) return schema.flatMap((s, i) => undescribed(s, `${at}/${i}`));
  if (typeof schema !== 'object' || schema === null) return [];
  const missing: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      for (const [name, property] of Object.entries(value)) {
        if (typeof (property as { description?: unknown }).description !== 'string') missing.push(`${at}/properties/${name}`);
      }
    }
    if (!['default', 'enum', 'const', 'if'].includes(key)) missing.push(...undescribed(value, `${at}/${key}`));
  }
  return missing;
}

describe('schemas and settings types', () => {
  it('has committed exactly the files npm run schemas generates', async function () {
    this.timeout(60_000);
    const files = await generateSchemaFiles();
    for (const [path, content] of files) {
      assert.ok(existsSync(path), `${path} is missing: run npm run schemas`);
      assert.equal(readFileSync(path, 'utf8'), content, `${path} is out of date: run npm run schemas`);
    }
    const settings = existsSync(SETTINGS_DIR) ? readdirSync(SETTINGS_DIR).filter((f) => f.endsWith('.ts')) : [];
    for (const name of settings) assert.ok(files.has(`${SETTINGS_DIR}/${name}`), `${SETTINGS_DIR}/${name} is for no registered kind: run npm run schemas`);
  });

  it('gives every property of every registered kind a description', () => {
    assert.deepEqual(undescribed(editorSchema(Object.values(stageKinds))), []);
    for (const kind of Object.values(stageKinds)) assert.deepEqual(undescribed(kind.schema), [], kind.kind);
  });

  it('finds a property without a description', () => {
    const kind: StageKind = { ...toySource, schema: { type: 'object', properties: { rows: { type: 'integer' } } } };
    assert.deepEqual(undescribed(stageSchema(kind)), ['/properties/rows']);
  });

  it('lets editors choose each stage schema by its kind', () => {
    const schema = editorSchema([toySource, toyModel, toyEval]) as {
      definitions: Record<string, { properties: Record<string, unknown>; required: string[] }>;
      properties: { stages: { additionalProperties: { properties: { kind: { enum: string[] } } } } };
    };
    assert.deepEqual(schema.properties.stages.additionalProperties.properties.kind.enum, ['toy_source', 'toy_model', 'toy_eval']);
    assert.deepEqual(Object.keys(schema.definitions.toy_model.properties).slice(0, 3), ['kind', 'seed', 'sweep']);
    assert.deepEqual(schema.definitions.toy_model.required, ['kind', 'data', 'beta']);
  });
});
