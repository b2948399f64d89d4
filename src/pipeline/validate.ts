/**
 * Validates a pipeline's data against the schemas composed from the registry and the
 * cross-stage rules, and resolves it: every default the schemas state is filled in.
 */
import type { Options, ValidateFunction } from 'ajv';
import { stageKind, stageKinds } from '../stages/index.ts';
import type { StageKind } from '../core/stageContract.ts';
import { ajvIssues } from './ajvIssues.ts';
import type { Issue } from './issue.ts';
import { isRecord, isUnder, toPointer } from './pointer.ts';
import { RULES } from './rules.ts';
import { STAGE_ENVELOPE, stageSchema, sweepableSettings, topLevelSchema } from './schema.ts';
import { closest } from './suggest.ts';
import { cachedValidator, saveValidatorCodeCaches } from './validatorCache.ts';

export interface Validation {
  issues: Issue[];
  /** The data with defaults filled in (meaningful when there are no issues). */
  resolved: Record<string, unknown>;
}

export function validatePipeline(data: unknown): Validation {
  const { validateTop, validateStage: validatorOf } = validators();
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
    const result = validateStage(validatorOf(kind), name, stage, kind);
    stages[name] = result.resolved;
    issues.push(...result.issues);
  }
  const typedStages = stages as Record<string, Record<string, unknown>>;
  for (const rule of RULES) issues.push(...rule(typedStages));
  saveValidatorCodeCaches();
  return { issues, resolved };
}

/**
 * One stage against its kind's schema. A setting given only by the stage's `sweep` is
 * checked once per value (at `/stages/NAME/sweep/KEY/I`), not as missing. A sweep key may
 * be a dotted path into a setting (`train.lr`). Each value is checked in its place, in a
 * copy of the stage, with the stage's schema.
 */
function validateStage(validate: ValidateFunction, name: string, stage: Record<string, unknown>, kind: StageKind) {
  const prefix = toPointer(['stages', name]);
  const sweep = isRecord(stage.sweep) ? stage.sweep : {};
  const sweepable = sweepableSettings(kind);
  const swept = Object.keys(sweep).filter(
    (key) => sweepable.includes(key.split('.')[0]) && Array.isArray(sweep[key]) && (sweep[key] as unknown[]).length > 0,
  );
  const substituted = swept.filter((key) => !key.includes('.') && !Object.hasOwn(stage, key));
  const resolved = structuredClone(stage);
  for (const key of substituted) resolved[key] = structuredClone((sweep[key] as unknown[])[0]);
  validate(resolved);
  const issues = ajvIssues(validate.errors, prefix).filter(
    (issue) => !substituted.some((key) => isUnder(issue.path, prefix + toPointer([key]))),
  );
  for (const key of substituted) delete resolved[key];
  const resolvedSweep = resolved.sweep as Record<string, unknown[]> | undefined;
  for (const key of swept) {
    (sweep[key] as unknown[]).forEach((value, i) => {
      const at = prefix + toPointer(['sweep', key, i]);
      const checked = checkInPlace(validate, resolved, key, value, prefix, at);
      issues.push(...checked.issues);
      resolvedSweep![key][i] = checked.value;
    });
  }
  return { issues, resolved };
}

/** One value of a swept setting (or dotted path), set in a copy of the stage and checked with the stage's schema; the value with its defaults. */
function checkInPlace(validateWhole: ValidateFunction, stage: Record<string, unknown>, key: string, value: unknown, prefix: string, at: string) {
  const segments = key.split('.');
  const copy = structuredClone(stage);
  delete copy.sweep;
  let parent: Record<string, unknown> = copy;
  for (const segment of segments.slice(0, -1)) {
    if (!isRecord(parent[segment])) parent[segment] = {};
    parent = parent[segment] as Record<string, unknown>;
  }
  parent[segments.at(-1)!] = structuredClone(value);
  validateWhole(copy);
  const within = prefix + toPointer(segments);
  const issues = ajvIssues(validateWhole.errors, prefix)
    .filter((issue) => isUnder(issue.path, within))
    .map((issue) => ({ ...issue, path: at + issue.path.slice(within.length), at: undefined }));
  return { issues, value: parent[segments.at(-1)!] };
}

const AJV_OPTIONS: Options = { allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true, verbose: true };

let cache: { validateTop: ValidateFunction; kinds: StageKind[]; byKind: Map<StageKind, ValidateFunction> } | undefined;

/**
 * The validators of the top level and of each kind's stages, compiled once (and kept on disk:
 * ./validatorCache.ts). The top level's launcher section names every kind, so its validator
 * is compiled again when the registry's kinds change (tests register their own).
 */
function validators() {
  const kinds = Object.values(stageKinds);
  if (!cache || cache.kinds.length !== kinds.length || cache.kinds.some((k, i) => k !== kinds[i])) {
    cache = { validateTop: cachedValidator(topLevelSchema(STAGE_ENVELOPE, kinds), AJV_OPTIONS), kinds, byKind: cache?.byKind ?? new Map() };
  }
  const { validateTop, byKind } = cache;
  const validateStage = (kind: StageKind): ValidateFunction => {
    if (!byKind.has(kind)) byKind.set(kind, cachedValidator(stageSchema(kind), AJV_OPTIONS));
    return byKind.get(kind)!;
  };
  return { validateTop, validateStage };
}
