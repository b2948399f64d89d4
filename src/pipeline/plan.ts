/**
 * Turns a resolved pipeline into a plan: each stage expanded into one instance per
 * combination of its sweep values, in dependency order (file order among stages that do
 * not depend on each other), each instance's inputs naming every upstream instance.
 */
import { basename, extname } from 'node:path';
import { stageKind } from '../stages/index.ts';
import type { StageKind } from '../core/stageContract.ts';
import { getDotted } from './pointer.ts';
import { referencedNames, referenceSites } from './references.ts';
import type { LauncherSettings } from '../core/settings/launcher.ts';
import type { Plan, StageInstance } from './types.ts';

type Stage = Record<string, unknown> & { kind: string; sweep?: Record<string, unknown[]>; seed?: number };

/** The plan of a validated pipeline, named after its file when it names no run. */
export function planOf(file: string, resolved: Record<string, unknown>, runSweep: Record<string, unknown>): Plan {
  const { name = basename(file, extname(file)), seed, backend, launcher, stages } = resolved;
  return buildPlan(file, { name, seed, backend, launcher, stages }, runSweep);
}

/** `resolved` must have passed validation: every kind registered, no unknown stage, no cycle. */
export function buildPlan(file: string, resolved: Record<string, unknown>, runSweep: Record<string, unknown>): Plan {
  const stages = resolved.stages as Record<string, Stage>;
  const idsOf = new Map<string, string[]>();
  const instances: StageInstance[] = [];
  for (const name of dependencyOrder(stages)) {
    const stage = stages[name];
    const kind = stageKind(stage.kind)!;
    const { sweep: _sweep, ...base } = stage;
    const ids: string[] = [];
    for (const sweep of combinations(stage.sweep ?? {})) {
      const settings = withSweepValues(base, sweep);
      const id = instanceId(name, sweep);
      ids.push(id);
      instances.push({
        id,
        stage: name,
        kind: kind.kind,
        settings,
        sweep,
        inputs: inputsOf(settings, kind, idsOf),
        seed: (settings.seed ?? resolved.seed) as number,
      });
    }
    idsOf.set(name, ids);
  }
  return {
    name: resolved.name as string,
    file,
    resolved,
    instances,
    runSweep,
    backend: resolved.backend as string,
    launcher: resolved.launcher as LauncherSettings,
  };
}

/** The stage's settings with one combination of its sweep's values, each at its (possibly dotted) path. */
function withSweepValues(base: Record<string, unknown>, sweep: Record<string, unknown>): Record<string, unknown> {
  const settings = structuredClone(base);
  for (const [key, value] of Object.entries(sweep)) {
    const segments = key.split('.');
    let parent = settings;
    for (const segment of segments.slice(0, -1)) {
      parent[segment] = structuredClone(parent[segment] ?? {});
      parent = parent[segment] as Record<string, unknown>;
    }
    parent[segments.at(-1)!] = structuredClone(value);
  }
  return settings;
}

/** `dpo`, or `dpo[beta=0.1]`, or `ppo[kl_target=3,vf_coef=0.1]` (keys in the sweep's order). */
export function instanceId(stage: string, sweep: Record<string, unknown>): string {
  const keys = Object.keys(sweep);
  if (keys.length === 0) return stage;
  return `${stage}[${keys.map((key) => `${key}=${formatValue(sweep[key])}`).join(',')}]`;
}

function formatValue(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/** Every combination of the sweep's values (one empty combination when not swept). */
export function combinations(sweep: Record<string, unknown[]>): Record<string, unknown>[] {
  let result: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(sweep)) {
    result = result.flatMap((partial) => values.map((value) => ({ ...partial, [key]: value })));
  }
  return result;
}

/** Stage names, each after the stages it references; file order among independents. */
function dependencyOrder(stages: Record<string, Stage>): string[] {
  const names = Object.keys(stages);
  const needs = new Map(
    names.map((name) => [name, new Set(referenceSites(stages[name], stageKind(stages[name].kind)!).map((s) => s.target))]),
  );
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < names.length) {
    const next = names.find((name) => !placed.has(name) && [...needs.get(name)!].every((n) => placed.has(n)));
    if (next === undefined) throw new Error('buildPlan was given a pipeline with a cycle');
    order.push(next);
    placed.add(next);
  }
  return order;
}

function inputsOf(settings: Record<string, unknown>, kind: StageKind, idsOf: Map<string, string[]>): Record<string, string[]> {
  const inputs: Record<string, string[]> = {};
  for (const reference of kind.references) {
    const value = getDotted(settings, reference.path);
    if (value === undefined) continue;
    inputs[reference.path] = referencedNames(value).flatMap((name) => idsOf.get(name)!);
  }
  return inputs;
}
