/**
 * The policies an evaluation measures, from the stage outputs it references: each
 * model-producing instance (and, with `checkpoints: all`, each of its saved checkpoints)
 * and each N of a best_of_n instance.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { modelDir } from '../model/artifact.ts';
import { hashWeights, weightFilesOf } from '../model/weightFiles.ts';
import { listCheckpoints } from '../training/checkpoints.ts';
import type { StageOutput } from '../core/stageContract.ts';

/** Where a policy's completions come from: a model to sample, or best-of-N's chosen completions. */
export type PolicySource = { kind: 'model'; dir: string } | { kind: 'best_of_n'; dir: string; n: number; temperature: number };

export interface Policy {
  /** A unique name: the instance id, with `@step=S` for a checkpoint or `@n=N` for best-of-N. */
  id: string;
  /** The instance it comes from (`dpo[beta=0.1]`); the points of one instance are joined in the plot. */
  instance: string;
  /** The method as the paper names it: the stage kind, or `ppo_gt` for PPO with a ground-truth reward. */
  method: string;
  /** The settings that place it on the frontier (`beta=0.1`, `n=16`). */
  settings: string;
  /** The training step of a checkpoint; null for a stage's final model and for best-of-N. */
  checkpointStep: number | null;
  source: PolicySource;
}

/** The reward kinds that are learned from preferences; any other kind is a ground truth. */
const LEARNED_REWARDS = new Set(['reward_model']);

/** The settings that say where a method sits on its frontier, by the name they have in a stage's settings. */
const FRONTIER_SETTINGS = ['beta', 'alpha', 'kl_target', 'kl_coef'];

/** `ppo_gt` for a ppo stage whose reward is a ground truth (the paper's PPO-GT); the stage kind otherwise. */
export function methodOf(output: Pick<StageOutput, 'kind' | 'settings'>): string {
  const reward = output.settings.reward as { kind?: unknown } | undefined;
  if (output.kind === 'ppo' && typeof reward?.kind === 'string' && !LEARNED_REWARDS.has(reward.kind)) return 'ppo_gt';
  return output.kind;
}

/**
 * `beta=0.1`-style text of the settings that place a policy: its sweep values, then any
 * frontier setting (beta, alpha, a KL target or coefficient) found at the top level of
 * its settings or one level down (`kl.target`), without repeating a swept one.
 */
export function settingsLabel(output: Pick<StageOutput, 'settings' | 'sweep'>): string {
  const parts = new Map<string, string>();
  for (const [path, value] of Object.entries(output.sweep)) parts.set(path.split('.').at(-1)!, `${path}=${format(value)}`);
  const visit = (record: Record<string, unknown>, prefix: string, depth: number) => {
    for (const [key, value] of Object.entries(record)) {
      if (key === 'train' || key === 'sampling' || key === 'reward' || key === 'sweep') continue;
      if (FRONTIER_SETTINGS.includes(key) && isScalar(value) && !parts.has(key)) parts.set(key, `${prefix}${key}=${format(value)}`);
      else if (depth === 0 && value !== null && typeof value === 'object' && !Array.isArray(value)) visit(value as Record<string, unknown>, `${key}.`, 1);
    }
  };
  visit(output.settings, '', 0);
  if (parts.has('kl_target')) parts.delete('kl_coef'); // the controller's starting value, not where it ends
  return [...parts.values()].join(' ');
}

/**
 * The policies of the referenced outputs, in order. A best_of_n output gives one policy
 * per N in `ns`; a model output gives its final model and, when `checkpoints` is `all`,
 * each saved checkpoint first (by step).
 */
export async function policiesOf(
  outputs: readonly StageOutput[],
  checkpoints: 'final' | 'all',
  bestOfNs: (dir: string) => Promise<number[]>,
): Promise<Policy[]> {
  const policies: Policy[] = [];
  for (const output of outputs) {
    const base = { instance: output.id, method: methodOf(output), settings: settingsLabel(output) };
    if (output.kind === 'best_of_n') {
      const temperature = (output.settings.sampling as { temperature?: number } | undefined)?.temperature ?? 1;
      for (const n of await bestOfNs(output.dir)) {
        const source = { kind: 'best_of_n' as const, dir: output.dir, n, temperature };
        policies.push({ ...base, id: `${output.id}@n=${n}`, settings: joinLabels(base.settings, `n=${n}`), checkpointStep: null, source });
      }
      continue;
    }
    if (checkpoints === 'all') {
      for (const checkpoint of await listCheckpoints(output.dir)) {
        if (await sameWeights(checkpoint.dir, modelDir(output.dir))) continue; // the final model itself
        policies.push({ ...base, id: `${output.id}@step=${checkpoint.step}`, checkpointStep: checkpoint.step, source: { kind: 'model', dir: checkpoint.dir } });
      }
    }
    policies.push({ ...base, id: output.id, checkpointStep: null, source: { kind: 'model', dir: modelDir(output.dir) } });
  }
  const seen = new Set<string>();
  return policies.filter((p) => !seen.has(p.id) && seen.add(p.id));
}

/** True when two model folders hold byte-identical weight files, one or sharded (a last checkpoint that is the final model). */
async function sameWeights(a: string, b: string): Promise<boolean> {
  const [filesA, filesB] = [await weightFilesOf(a), await weightFilesOf(b)];
  if (filesA.length === 0 || filesA.join() !== filesB.join()) return false;
  for (const file of filesA) if ((await stat(join(a, file))).size !== (await stat(join(b, file))).size) return false;
  const digest = async (dir: string) => { const hash = createHash('sha256'); await hashWeights(dir, hash); return hash.digest('hex'); };
  return (await digest(a)) === (await digest(b));
}

function joinLabels(a: string, b: string): string {
  return a === '' ? b : `${a} ${b}`;
}

function isScalar(value: unknown): value is number | string | boolean {
  return typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean';
}

function format(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

