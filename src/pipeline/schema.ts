/**
 * The JSON Schema of a whole pipeline, composed from the registry: the top level (name,
 * seed, backend, launcher, stages) and, for each stage, its kind's schema with the settings every
 * stage has (`kind`, `seed`, `sweep`) added. The kind schemas in `schemas/<kind>.schema.json`
 * describe only the kind's own settings.
 */
import { BACKENDS } from '../backend/backendNames.ts';
import type { JsonSchema, StageKind } from '../core/stageContract.ts';
import { launcherSchema } from './launcherSchema.ts';

/** Stage names become instance ids and folder names. */
export const STAGE_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]*$';

/** The settings every stage has, whatever its kind. */
export const COMMON_STAGE_SETTINGS = ['kind', 'seed', 'sweep'] as const;

const KIND_DESCRIPTION = 'The stage kind: what the stage does (src/stages/<kindInCamelCase>.ts, schemas/<kind>.schema.json).';

function commonStageProperties(kind: JsonSchema): Record<string, JsonSchema> {
  return {
    kind,
    seed: {
      type: 'integer',
      minimum: 0,
      description: "This stage's seed; the pipeline's seed when absent.",
    },
    sweep: {
      type: 'object',
      description:
        'One instance of this stage per value: a map from a setting of this stage (or a dotted path into one: `train.lr`) to a list of values ' +
        '(a product over several settings). Stages that reference this one get every instance.',
    },
  };
}

/**
 * A kind's schema with `kind`, `seed` and `sweep` as every stage has them (a kind's schema
 * may leave them out; where it states them, these definitions replace its own); unknown
 * keys are errors.
 */
export function stageSchema(kind: StageKind): JsonSchema {
  const { $schema: _s, $id: _i, title: _t, ...rest } = kind.schema as JsonSchema & { properties?: Record<string, JsonSchema> };
  const own = { ...((rest.properties ?? {}) as Record<string, JsonSchema>) };
  for (const name of COMMON_STAGE_SETTINGS) delete own[name];
  const required = ((rest.required as string[] | undefined) ?? []).filter((name) => name !== 'kind');
  return {
    ...rest,
    type: 'object',
    properties: { ...commonStageProperties({ const: kind.kind, description: KIND_DESCRIPTION }), ...own },
    required: ['kind', ...required],
    additionalProperties: false,
  };
}

/** The settings a stage's `sweep` may vary: the kind's own and `seed`. */
export function sweepableSettings(kind: StageKind): string[] {
  return Object.keys((stageSchema(kind).properties ?? {}) as Record<string, unknown>).filter((s) => s !== 'kind' && s !== 'sweep');
}

/** The top level of a pipeline, with `stage` as the schema of each stage; `kinds` give the launcher's GPUs per kind. */
export function topLevelSchema(stage: JsonSchema, kinds: readonly StageKind[]): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['stages'],
    properties: {
      name: {
        type: 'string',
        pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$',
        description: "The pipeline's name, the folder of its runs under runs/; the file's base name when absent.",
      },
      seed: {
        type: 'integer',
        minimum: 0,
        default: 0,
        description: 'The seed of every stage that does not set its own.',
      },
      backend: {
        enum: [...BACKENDS],
        default: 'auto',
        description:
          'The TensorFlow.js backend: auto picks tensorflow-gpu (CUDA), then tensorflow, then wasm, then cpu; --backend overrides it.',
      },
      launcher: launcherSchema(kinds),
      stages: {
        type: 'object',
        minProperties: 1,
        propertyNames: { pattern: STAGE_NAME_PATTERN },
        additionalProperties: stage,
        description:
          'The stages, by name. A stage names its kind and refers to the stages whose outputs it uses by name; they run in dependency order.',
      },
    },
  };
}

/** What the validator checks of a stage before it knows the kind: an object with a kind. */
export const STAGE_ENVELOPE: JsonSchema = {
  type: 'object',
  required: ['kind'],
  properties: { kind: { type: 'string', description: KIND_DESCRIPTION } },
};

/**
 * The pipeline schema for editors (schemas/pipeline.schema.json): each kind's stage schema
 * under `definitions/<kind>`, chosen by the stage's `kind`.
 */
export function editorSchema(kinds: StageKind[]): JsonSchema {
  const definitions: Record<string, JsonSchema> = {};
  for (const kind of kinds) definitions[kind.kind] = rebaseRefs(stageSchema(kind), `#/definitions/${kind.kind}`) as JsonSchema;
  const stage: JsonSchema =
    kinds.length === 0
      ? STAGE_ENVELOPE
      : {
          type: 'object',
          required: ['kind'],
          properties: { kind: { enum: kinds.map((k) => k.kind), description: KIND_DESCRIPTION } },
          allOf: kinds.map((k) => ({
            if: { properties: { kind: { const: k.kind } } },
            then: { $ref: `#/definitions/${k.kind}` },
          })),
        };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'dpo-run pipeline',
    description: 'A dpo-run pipeline: named stages of a preference-optimization experiment. Generated by `npm run schemas` from src/stages/index.ts.',
    ...topLevelSchema(stage, kinds),
    definitions,
  };
}

/** Rewrites a schema's internal references (`#/...`) for its new place at `base`. */
function rebaseRefs(value: unknown, base: string): unknown {
  if (Array.isArray(value)) return value.map((v) => rebaseRefs(v, base));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof v === 'string' && v.startsWith('#') ? base + v.slice(1) : rebaseRefs(v, base);
  }
  return out;
}
