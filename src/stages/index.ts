/**
 * The registry: the only list of stage kinds. A kind is added here with its file.
 */
import type { StageKind } from './types.ts';
import { dataset } from './dataset.ts';

export const stageKinds: Record<string, StageKind> = {
  dataset,
};

export function stageKind(kind: string): StageKind | undefined {
  return Object.hasOwn(stageKinds, kind) ? stageKinds[kind] : undefined;
}
