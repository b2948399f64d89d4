/**
 * Reads a stage kind's JSON Schema from `schemas/<kind>.schema.json`, with every
 * reference to a shared definition (`{"$ref": "common.schema.json#/definitions/train"}`)
 * replaced by the definition itself, so that the validator, the editor schema and the
 * generated settings types see one self-contained schema. Sibling keys next to such a
 * `$ref` (a `description`, a `default`) are kept on top of the definition.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { JsonSchema } from './stageContract.ts';

const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));
const COMMON_PREFIX = 'common.schema.json#/definitions/';

let common: Record<string, JsonSchema> | undefined;

function commonDefinitions(): Record<string, JsonSchema> {
  common ??= (JSON.parse(readFileSync(SCHEMAS_DIR + 'common.schema.json', 'utf8')) as { definitions: Record<string, JsonSchema> }).definitions;
  return common;
}

export function readStageSchema(kind: string): JsonSchema {
  const schema = JSON.parse(readFileSync(`${SCHEMAS_DIR}${kind}.schema.json`, 'utf8')) as JsonSchema;
  return inline(schema) as JsonSchema;
}

function inline(node: unknown, within?: Record<string, JsonSchema>): unknown {
  if (Array.isArray(node)) return node.map((item) => inline(item, within));
  if (node === null || typeof node !== 'object') return node;
  const { $ref, ...rest } = node as Record<string, unknown>;
  if (typeof $ref === 'string') {
    const name = $ref.startsWith(COMMON_PREFIX) ? $ref.slice(COMMON_PREFIX.length) : within && $ref.startsWith('#/definitions/') ? $ref.slice('#/definitions/'.length) : undefined;
    const definitions = commonDefinitions();
    if (name === undefined || !definitions[name]) throw new Error(`schema reference ${$ref} is not a definition of schemas/common.schema.json`);
    return { ...(inline(definitions[name], definitions) as object), ...(inline(rest, within) as object) };
  }
  return Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, inline(value, within)]));
}
