/**
 * Validates a pipeline's data against the schemas composed from the registry and the
 * cross-stage rules, and resolves it: every default the schemas state is filled in.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { stageKind, stageKinds } from '../stages/index.ts';
import type { StageKind } from '../core/stageContract.ts';
import { ajvIssues } from './ajvIssues.ts';
import type { Issue } from './issue.ts';
import { isRecord, isUnder, toPointer } from './pointer.ts';
import { RULES } from './rules.ts';
import { STAGE_ENVELOPE, stageSchema, sweepableSettings, topLevelSchema } from './schema.ts';
import { closest } from './suggest.ts';

export interface Validation {
  issues: Issue[];
  /** The data with defaults filled in (meaningful when there are no issues). */
  resolved: Record<string, unknown>;
}

export function validatePipeline(data: unknown): Validation {
  const { ajv, validateTop } = validators();
  const resolved = structuredClone(data) as Record<string, unknown>;
  validateTop(resolved);
  const issues = ajvIssues(validateTop.errors, '');
  const stages = isRecord(resolved) && isRecord(resolved.stages) ? resolved.stages : {};
  for (const [name, stage] of Object.entries(stages)) {
    if (!isRecord(stage) || typeof stage.kind !== 'string') continue;
    const kind = stageKind(stage.kind);
    if (!kind) {
      issues.push({
        path: toPointer(['stages', name, 'kind']),
        code: 'unknown-kind',
        message: `unknown stage kind "${stage.kind}"; known kinds: ${Object.keys(stageKinds).join(', ') || '(none)'}`,
        suggestion: closest(stage.kind, Object.keys(stageKinds)),
        anchor: 'value',
      });
      continue;
    }
    const result = validateStage(ajv, name, stage, kind);
    stages[name] = result.resolved;
    issues.push(...result.issues);
  }
  const typedStages = stages as Record<string, Record<string, unknown>>;
  for (const rule of RULES) issues.push(...rule(typedStages));
  return { issues, resolved };
}

/**
 * One stage against its kind's schema. A setting given only by the stage's `sweep` is
 * checked once per value (at `/stages/NAME/sweep/KEY/I`), not as missing.
 */
function validateStage(ajv: Ajv, name: string, stage: Record<string, unknown>, kind: StageKind) {
  const prefix = toPointer(['stages', name]);
  const validate = compiled(ajv, kind);
  const sweep = isRecord(stage.sweep) ? stage.sweep : {};
  const sweepable = sweepableSettings(kind);
  const swept = Object.keys(sweep).filter(
    (key) => sweepable.includes(key) && Array.isArray(sweep[key]) && (sweep[key] as unknown[]).length > 0,
  );
  const substituted = swept.filter((key) => !Object.hasOwn(stage, key));
  const resolved = structuredClone(stage);
  for (const key of substituted) resolved[key] = structuredClone((sweep[key] as unknown[])[0]);
  validate.whole(resolved);
  const issues = ajvIssues(validate.whole.errors, prefix).filter(
    (issue) => !substituted.some((key) => isUnder(issue.path, prefix + toPointer([key]))),
  );
  for (const key of substituted) delete resolved[key];
  const resolvedSweep = resolved.sweep as Record<string, unknown[]> | undefined;
  for (const key of swept) {
    const validateValue = validate.setting(key);
    (sweep[key] as unknown[]).forEach((value, i) => {
      const wrapped = { value: structuredClone(value) };
      validateValue(wrapped);
      const errors = (validateValue.errors ?? []).map((e) => ({ ...e, instancePath: e.instancePath.slice('/value'.length) }));
      issues.push(...ajvIssues(errors, prefix + toPointer(['sweep', key, i])));
      resolvedSweep![key][i] = wrapped.value;
    });
  }
  return { issues, resolved };
}

let cache: { ajv: Ajv; validateTop: ValidateFunction; kinds: StageKind[] } | undefined;

/** One ajv for as long as the registry holds the same kinds (tests register their own). */
function validators() {
  const kinds = Object.values(stageKinds);
  if (!cache || cache.kinds.length !== kinds.length || cache.kinds.some((k, i) => k !== kinds[i])) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true, verbose: true });
    cache = { ajv, validateTop: ajv.compile(topLevelSchema(STAGE_ENVELOPE, kinds)), kinds };
  }
  return cache;
}

/** The compiled validators of a kind: the whole stage, and one setting (for sweep values). */
function compiled(ajv: Ajv, kind: StageKind) {
  const id = `dpo-run:stage:${kind.kind}`;
  const schema = stageSchema(kind);
  if (!ajv.getSchema(id)) ajv.addSchema(schema, id);
  return {
    whole: ajv.getSchema(id) as ValidateFunction,
    /** Validates `{value}` against the setting's schema (nested, so that its default is not at the root). */
    setting: (key: string) => {
      const settingId = `${id}:${key}`;
      if (!ajv.getSchema(settingId)) {
        const { definitions, $defs } = schema as { definitions?: unknown; $defs?: unknown };
        const properties = schema.properties as Record<string, unknown>;
        ajv.addSchema(
          { type: 'object', properties: { value: properties[key] }, ...(definitions ? { definitions } : {}), ...($defs ? { $defs } : {}) },
          settingId,
        );
      }
      return ajv.getSchema(settingId) as ValidateFunction;
    },
  };
}
