/**
 * What a run will do, decided before anything is written: each instance of the plan with
 * its fingerprint and cache entry, whether `--only` selected it (a selected stage brings
 * the instances it needs), whether `--force` makes it rerun, and whether the cache holds it.
 */
import { resolve } from 'node:path';
import { closest, distance } from 'fastest-levenshtein';
import { UserError } from '../core/errors.ts';
import type { Plan, StageInstance } from '../pipeline/types.ts';
import { stageKind } from '../stages/index.ts';
import type { StageKind } from '../core/stageContract.ts';
import { fingerprintAll } from './fingerprint.ts';
import { cacheEntry, checkEntry, type CacheEntry } from './cache.ts';

export interface ScheduledInstance {
  instance: StageInstance;
  kind: StageKind;
  entry: CacheEntry;
  /** Part of this run (`--only` and what it needs); an unselected instance is skipped. */
  selected: boolean;
  /** Rerun even if cached (`--force`). */
  forced: boolean;
  /** The cache held its outputs, complete, when the run was scheduled. */
  cached: boolean;
  /** What was wrong with its cache entry when the run was scheduled (a damaged entry counts as absent). */
  damage: string[];
}

export interface Selection {
  /** Stage names or instance ids to run, with what they need; empty: all. */
  only: string[];
  /** Stage names or instance ids to rerun, or `all`. */
  force: string[];
}

export function scheduleRun(plan: Plan, runsDir: string, selection: Selection): ScheduledInstance[] {
  const fingerprints = fingerprintAll(plan.instances);
  const selected = selectWithUpstream(plan.instances, matchNames(plan.instances, selection.only, '--only'));
  const forceAll = selection.force.includes('all');
  const forced = matchNames(plan.instances, forceAll ? [] : selection.force, '--force');
  return plan.instances.map((instance) => {
    const kind = stageKind(instance.kind);
    if (!kind) throw new Error(`instance ${instance.id} has kind "${instance.kind}", which is not registered in src/stages/index.ts`);
    const entry = cacheEntry(resolve(runsDir), instance.kind, fingerprints.get(instance.id)!);
    const check = checkEntry(entry.dir);
    return {
      instance,
      kind,
      entry,
      selected: selection.only.length === 0 || selected.has(instance.id),
      forced: forceAll || forced.has(instance.id),
      cached: check.status === 'complete',
      damage: check.status === 'damaged' ? check.problems : [],
    };
  });
}

/** The ids of the instances named (by stage name or instance id); an unknown name is a UserError. */
function matchNames(instances: readonly StageInstance[], names: readonly string[], option: string): Set<string> {
  const ids = new Set<string>();
  for (const name of names) {
    const matching = instances.filter((i) => i.stage === name || i.id === name);
    if (matching.length === 0) {
      const known = [...new Set(instances.map((i) => i.stage))];
      const guess = known.length > 0 ? closest(name, known) : undefined;
      const hint = guess !== undefined && distance(name, guess) <= Math.max(2, name.length / 3)
        ? `did you mean "${guess}"?`
        : `the stages are: ${known.join(', ')}`;
      throw new UserError(`${option} names "${name}", which is not a stage of this pipeline`, hint);
    }
    for (const instance of matching) ids.add(instance.id);
  }
  return ids;
}

/** The given ids and every instance they use, directly or not. */
function selectWithUpstream(instances: readonly StageInstance[], ids: Set<string>): Set<string> {
  const byId = new Map(instances.map((i) => [i.id, i]));
  const selected = new Set<string>();
  const visit = (id: string) => {
    if (selected.has(id)) return;
    selected.add(id);
    const instance = byId.get(id);
    if (instance) for (const upstream of upstreamIds(instance)) visit(upstream);
  };
  for (const id of ids) visit(id);
  return selected;
}

/** The upstream instance ids of an instance. */
export function upstreamIds(instance: StageInstance): string[] {
  return Object.values(instance.inputs).flat();
}
