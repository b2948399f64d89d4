/**
 * Turns ajv's errors into issues with fixed codes, readable messages and suggestions.
 */
import type { ErrorObject } from 'ajv';
import type { Issue } from './issue.ts';
import { toPointer } from './pointer.ts';
import { closest } from './suggest.ts';

/** ajv keyword -> diagnostic code. */
const CODES: Record<string, string> = {
  additionalProperties: 'unknown-key',
  required: 'required',
  type: 'type',
  enum: 'enum',
  const: 'enum',
  minimum: 'range',
  maximum: 'range',
  exclusiveMinimum: 'range',
  exclusiveMaximum: 'range',
  multipleOf: 'range',
  minLength: 'size',
  maxLength: 'size',
  minItems: 'size',
  maxItems: 'size',
  minProperties: 'size',
  maxProperties: 'size',
  uniqueItems: 'size',
  pattern: 'format',
  format: 'format',
  propertyNames: 'bad-name',
  not: 'conflict',
  anyOf: 'one-of',
  oneOf: 'one-of',
};

/**
 * The issues for ajv's `errors`, their paths prefixed with `prefix` (the pointer of the
 * validated value). The branch errors of a failed anyOf/oneOf fold into one issue, and
 * `if` errors (whose `then` errors say what is wrong) are dropped.
 */
export function ajvIssues(errors: ErrorObject[] | null | undefined, prefix: string): Issue[] {
  const all = errors ?? [];
  const unions = all.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.schemaPath + '/');
  const issues: Issue[] = [];
  for (const error of all) {
    if (error.keyword === 'if') continue;
    if (error.propertyName !== undefined) continue; // the inner error of a propertyNames, which reports it
    if (unions.some((u) => error.schemaPath.startsWith(u))) continue;
    issues.push(toIssue(error, prefix));
  }
  return issues;
}

function toIssue(error: ErrorObject, prefix: string): Issue {
  const path = prefix + error.instancePath;
  const code = CODES[error.keyword] ?? error.keyword;
  const params = error.params as Record<string, unknown>;
  const properties = Object.keys(((error.parentSchema as Record<string, unknown> | undefined)?.properties ?? {}) as object);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      return {
        path: path + toPointer([key]),
        code,
        message: `unknown key "${key}"; allowed: ${properties.join(', ')}`,
        suggestion: closest(key, properties),
        anchor: 'key',
      };
    }
    case 'required': {
      const key = String(params.missingProperty);
      const what = describe(error, key);
      return {
        path: path + toPointer([key]),
        code,
        message: `missing required setting "${key}"${what ? ` (${what})` : ''}`,
        at: path,
        anchor: 'key',
      };
    }
    case 'propertyNames': {
      const name = String(params.propertyName);
      return {
        path: path + toPointer([name]),
        code,
        message: `"${name}" is not a valid name: use letters, digits, _ and -, starting with a letter or _`,
        anchor: 'key',
      };
    }
    case 'enum':
    case 'const': {
      const allowed = (error.keyword === 'enum' ? params.allowedValues : [params.allowedValue]) as unknown[];
      const value = error.data;
      return {
        path,
        code,
        message: `${JSON.stringify(value)} is not allowed; allowed: ${allowed.map((v) => JSON.stringify(v)).join(', ')}`,
        suggestion: typeof value === 'string' ? closest(value, allowed.filter((v) => typeof v === 'string') as string[]) : undefined,
        anchor: 'value',
      };
    }
    case 'type':
      return { path, code, message: `expected ${params.type}, got ${describeValue(error.data)}`, anchor: 'value' };
    case 'not':
      return conflict(error, path) ?? { path, code, message: `${short(error.data)} is not allowed here`, anchor: 'value' };
    default:
      return { path, code, message: `${short(error.data)} ${error.message ?? 'is invalid'}`, anchor: 'value' };
  }
}

/**
 * A `not` of the schema's `dependencies`: two settings that exclude each other. Either
 * `{dependencies: {A: {properties: {B: {not: {}}}}}}` (B is not allowed with A) or
 * `{dependencies: {A: {not: {anyOf: [{required: [B]}, ...]}}}}` (A not with any of them).
 */
function conflict(error: ErrorObject, path: string): Issue | undefined {
  const inProperty = /\/dependencies\/([^/]+)\/properties\/([^/]+)\/not$/.exec(error.schemaPath);
  if (inProperty) {
    const [, with_, key] = inProperty;
    const why = firstSentence((error.parentSchema as { description?: string } | undefined)?.description?.replace(/^Not with [^:]+:\s*/, '') ?? '');
    return { path, code: 'conflict', message: `${key} cannot be set together with ${with_}${why ? ` (${why})` : ''}; remove one of them`, anchor: 'key' };
  }
  const inDependency = /\/dependencies\/([^/]+)\/not$/.exec(error.schemaPath);
  if (inDependency) {
    const branches = ((error.schema as { anyOf?: { required?: string[] }[] } | undefined)?.anyOf ?? [{ required: (error.schema as { required?: string[] }).required }]);
    const data = (error.data ?? {}) as Record<string, unknown>;
    const present = branches.flatMap((b) => b.required ?? []).filter((key) => Object.hasOwn(data, key));
    const [, key] = inDependency;
    const others = present.length > 0 ? present.join(' and ') : 'the settings it excludes';
    return { path: path + toPointer([key]), code: 'conflict', message: `${key} cannot be set together with ${others}; remove one of them`, anchor: 'key' };
  }
  return undefined;
}

/** The description of a property of the error's schema, shortened to its first sentence. */
function describe(error: ErrorObject, key: string): string | undefined {
  const properties = (error.parentSchema as Record<string, Record<string, { description?: string }>> | undefined)?.properties;
  const description = properties?.[key]?.description;
  return description === undefined ? undefined : firstSentence(description);
}

/** The text up to the first `.` or `:` that ends a sentence outside parentheses (the whole text when none does). */
export function firstSentence(text: string): string {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    else if ((c === ')' || c === ']') && depth > 0) depth--;
    else if ((c === '.' || c === ':') && depth === 0 && (i + 1 === text.length || /\s/.test(text[i + 1]))) return text.slice(0, i);
  }
  return text;
}

/** `string "abc"`, `integer 3`, `null`, `an array`, `a map`. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'number') return `${Number.isInteger(value) ? 'integer' : 'number'} ${value}`;
  return `${typeof value} ${short(value)}`;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? text.slice(0, 37) + '...' : text;
}
