/**
 * The value function beside the policy's checkpoints: `value/step-NNNNNN.safetensors`
 * in the stage's output folder holds the value function's own parameters (with a shared
 * backbone only `score.weight`) at that checkpoint. It is written before the policy's
 * checkpoint folder, so every complete checkpoint has its value file; the checkpoint
 * folders themselves stay plain policy model folders that the evaluation can load.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../core/io/atomicFile.ts';
import { StageError } from '../core/errors.ts';
import { parseSafetensors, serializeSafetensors } from '../model/index.ts';
import { valueParameters, type PpoModels } from './models.ts';

export const VALUE_DIR = 'value';

export function valueCheckpointFile(outDir: string, step: number): string {
  return join(outDir, VALUE_DIR, `step-${String(step).padStart(6, '0')}.safetensors`);
}

export async function saveValueCheckpoint(outDir: string, step: number, models: PpoModels): Promise<void> {
  const entries = [];
  for (const [name, variable] of valueParameters(models)) {
    entries.push({ name, shape: variable.shape, values: (await variable.data()) as Float32Array });
  }
  await mkdir(join(outDir, VALUE_DIR), { recursive: true });
  await writeFileAtomic(valueCheckpointFile(outDir, step), serializeSafetensors(entries));
}

/**
 * Reads the value function's parameters saved at `step`, checked against `models`'
 * shapes, changing nothing (a file that does not load throws).
 */
export async function readValueCheckpoint(outDir: string, step: number, models: PpoModels): Promise<Map<string, Float32Array>> {
  const file = valueCheckpointFile(outDir, step);
  if (!existsSync(file)) throw new StageError(`${file} is missing: cannot resume the value function of checkpoint ${step}`);
  const stored = parseSafetensors(await readFile(file), file);
  const values = new Map<string, Float32Array>();
  for (const [name, variable] of valueParameters(models)) {
    const entry = stored.tensors.get(name);
    if (!entry || entry.shape.join(',') !== variable.shape.join(',')) throw new StageError(`${file}: no tensor ${name} of shape [${variable.shape}]`);
    values.set(name, stored.read(name));
  }
  return values;
}

/** Sets the value function's parameters to what readValueCheckpoint read. */
export function restoreValue(models: PpoModels, values: Map<string, Float32Array>): void {
  for (const [name, variable] of valueParameters(models)) {
    const value = tf.tensor(values.get(name)!, variable.shape);
    variable.assign(value);
    value.dispose();
  }
}
