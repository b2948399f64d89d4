/**
 * evaluation.json in an evaluate stage's output: the stage instances it evaluated and
 * where their outputs are, so that a report can summarise their training, and the source
 * kind of the evaluated dataset (`source_kind`: tldr, hh_rlhf, ...), so that it can tell
 * the experiment.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/io/atomicFile.ts';
import type { StageOutput } from '../core/stageContract.ts';

export const EVALUATION_FILE = 'evaluation.json';

export interface EvaluatedInstance {
  id: string;
  stage: string;
  kind: string;
  dir: string;
}

export async function writeEvaluationIndex(dir: string, instances: readonly StageOutput[], sourceKind: string | null = null): Promise<void> {
  const index = { source_kind: sourceKind, instances: instances.map(({ id, stage, kind, dir }) => ({ id, stage, kind, dir })) };
  await writeFileAtomic(join(dir, EVALUATION_FILE), JSON.stringify(index, null, 2) + '\n');
}

/** The instances an evaluation evaluated; none when it has no evaluation.json. */
export async function readEvaluationIndex(dir: string): Promise<EvaluatedInstance[]> {
  const file = join(dir, EVALUATION_FILE);
  if (!existsSync(file)) return [];
  return (JSON.parse(await readFile(file, 'utf8')) as { instances: EvaluatedInstance[] }).instances;
}

/** The source kind of the dataset an evaluation evaluated on; null when unknown (an evaluation.json written before it was recorded). */
export async function readEvaluatedSourceKind(dir: string): Promise<string | null> {
  const file = join(dir, EVALUATION_FILE);
  if (!existsSync(file)) return null;
  const kind = (JSON.parse(await readFile(file, 'utf8')) as { source_kind?: unknown }).source_kind;
  return typeof kind === 'string' ? kind : null;
}
