/**
 * The registry: the only list of stage kinds. A kind is added here with its file.
 */
import type { StageKind } from './types.ts';

export const stageKinds: Record<string, StageKind> = {};

export function stageKind(kind: string): StageKind | undefined {
  return Object.hasOwn(stageKinds, kind) ? stageKinds[kind] : undefined;
}
