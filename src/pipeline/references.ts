/**
 * The references of a stage: each place where it names another stage, in its settings
 * or in the values of its sweep.
 */
import type { Reference, StageKind } from '../core/stageContract.ts';
import { getDotted, isRecord, type Segment } from './pointer.ts';

export interface ReferenceSite {
  reference: Reference;
  /** The stage named. */
  target: string;
  /** Where the name is written, inside the stage (`['policy']`, `['sweep', 'policy', 1]`). */
  segments: Segment[];
}

export function referenceSites(stage: Record<string, unknown>, kind: StageKind): ReferenceSite[] {
  const sites: ReferenceSite[] = [];
  for (const reference of kind.references) {
    const segments = reference.path.split('.');
    collect(reference, getDotted(stage, reference.path), segments, sites);
    const sweep = isRecord(stage.sweep) ? stage.sweep[reference.path] : undefined;
    if (Array.isArray(sweep)) {
      sweep.forEach((value, i) => collect(reference, value, ['sweep', reference.path, i], sites));
    }
  }
  return sites;
}

/** The stage names in a reference's value: a name, or a list of names. */
export function referencedNames(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

function collect(reference: Reference, value: unknown, segments: Segment[], sites: ReferenceSite[]): void {
  if (typeof value === 'string') sites.push({ reference, target: value, segments });
  else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (typeof v === 'string') sites.push({ reference, target: v, segments: [...segments, i] });
    });
  }
}
