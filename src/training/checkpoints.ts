/**
 * Training checkpoints inside a stage's output folder:
 *
 *   checkpoints/step-000120/  config.json  model.safetensors  tokenizer.json   (a model folder)
 *                             optimizer.safetensors  trainer.json              (to resume)
 *
 * Each is written into a temporary folder and renamed, so a checkpoint folder is always
 * complete. A stage resumes from the newest one that loads (resume.ts); the evaluation
 * reads every one.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { disposeModel, loadModel, parseSafetensors, saveModel, serializeSafetensors, type GPT } from '../model/index.ts';
import type { Optimizer } from './optimizer.ts';

export const CHECKPOINTS_DIR = 'checkpoints';
const OPTIMIZER_FILE = 'optimizer.safetensors';
const TRAINER_FILE = 'trainer.json';

/** What a training loop needs besides the weights to continue where it stopped. */
export interface TrainerState {
  step: number;
  optimizerStep: number;
  /** The loop's Random state (Random.state()). */
  random: number[];
  /** Anything else the loop keeps (a KL controller's coefficient, the best eval loss). */
  extra: Record<string, unknown>;
}

export interface Checkpoint {
  step: number;
  dir: string;
}

export function checkpointDir(outDir: string, step: number): string {
  return join(outDir, CHECKPOINTS_DIR, `step-${String(step).padStart(6, '0')}`);
}

export async function saveCheckpoint(
  outDir: string,
  parts: { model: GPT; optimizer: Optimizer; tokenizerJson?: Record<string, unknown>; state: TrainerState },
): Promise<Checkpoint> {
  const dir = checkpointDir(outDir, parts.state.step);
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await saveModel(tmp, parts.model, parts.tokenizerJson);
  const { step, tensors } = parts.optimizer.state();
  const entries = [];
  for (const [name, tensor] of Object.entries(tensors)) {
    entries.push({ name, shape: tensor.shape, values: (await tensor.data()) as Float32Array });
    tensor.dispose();
  }
  await writeFile(join(tmp, OPTIMIZER_FILE), serializeSafetensors(entries));
  await writeFile(join(tmp, TRAINER_FILE), JSON.stringify({ ...parts.state, optimizerStep: step }, null, 2) + '\n');
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return { step: parts.state.step, dir };
}

/** Every complete checkpoint in `outDir`, by step. */
export async function listCheckpoints(outDir: string): Promise<Checkpoint[]> {
  const root = join(outDir, CHECKPOINTS_DIR);
  if (!existsSync(root)) return [];
  const found: Checkpoint[] = [];
  for (const name of await readdir(root)) {
    const match = /^step-(\d+)$/.exec(name);
    if (match && existsSync(join(root, name, TRAINER_FILE))) found.push({ step: Number(match[1]), dir: join(root, name) });
  }
  return found.sort((a, b) => a.step - b.step);
}

export async function latestCheckpoint(outDir: string): Promise<Checkpoint | undefined> {
  return (await listCheckpoints(outDir)).at(-1);
}

/**
 * Loads a checkpoint's model (trainable) and trainer state, and restores `optimizer` from it.
 * Everything is read before anything changes: a checkpoint that does not load (a truncated
 * file) throws and leaves `optimizer` as it was.
 */
export async function resumeFrom(checkpoint: Checkpoint, optimizer: Optimizer): Promise<{ model: GPT; state: TrainerState }> {
  const model = await loadModel(checkpoint.dir, { trainable: true });
  let state: TrainerState;
  const tensors: Record<string, tf.Tensor> = {};
  try {
    state = JSON.parse(await readFile(join(checkpoint.dir, TRAINER_FILE), 'utf8')) as TrainerState;
    const file = parseSafetensors(await readFile(join(checkpoint.dir, OPTIMIZER_FILE)), join(checkpoint.dir, OPTIMIZER_FILE));
    for (const [name, entry] of file.tensors) tensors[name] = tf.tensor(file.read(name), entry.shape);
  } catch (error) {
    tf.dispose(Object.values(tensors));
    disposeModel(model);
    throw error;
  }
  optimizer.restore(state.optimizerStep, tensors);
  tf.dispose(Object.values(tensors));
  return { model, state };
}
