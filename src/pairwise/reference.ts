/**
 * The reference model's log-probabilities, log pi_ref(y_w|x) and log pi_ref(y_l|x), for
 * every pair. The reference is the initial policy, frozen, so they never change: they are
 * computed once, before training, and kept
 *
 *   - in the stage's output (`reference_logps.json`), where a resumed run finds them, and
 *   - in a file shared by every stage that trains from the same policy on the same pairs
 *     (the instances of a beta sweep): `<cache root>/reference-logps/<key>.json`, where the
 *     cache root is the folder holding the pairs stage's output (the runs cache,
 *     `runs/cache/`) and the key is a SHA-256 of the policy's weights and config and of
 *     the token ids of the pairs. Being content-addressed, the file can only be reused
 *     for the same numbers; it is written atomically, so concurrent instances are safe.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../core/io/atomicFile.ts';
import { CONFIG_FILE, hashWeights, type GPT } from '../model/index.ts';
import type { PairIds } from './batch.ts';
import { pairLogps } from './logps.ts';

export const REFERENCE_LOGPS_FILE = 'reference_logps.json';
export const SHARED_REFERENCE_DIR = 'reference-logps';

/** log pi_ref of each pair's chosen and rejected completion, in the pairs' order. */
export interface ReferenceLogps {
  chosen: number[];
  rejected: number[];
}

/** Where the log-probabilities came from: this stage's output (a resume), the shared file, or computed now. */
export type ReferenceOrigin = 'stage' | 'shared' | 'computed';

/** Runs the reference over the pairs in batches (no gradient); `forwardPasses` counts the batches. */
export async function computeReferenceLogps(
  reference: GPT,
  pairs: readonly PairIds[],
  options: { pad: number; batchSize: number; onBatch?: (done: number) => Promise<void> },
): Promise<{ logps: ReferenceLogps; forwardPasses: number }> {
  const logps: ReferenceLogps = { chosen: [], rejected: [] };
  let forwardPasses = 0;
  for (let start = 0; start < pairs.length; start += options.batchSize) {
    const batch = pairs.slice(start, start + options.batchSize);
    const stacked = tf.tidy(() => {
      const out = pairLogps(reference, batch, options.pad, { rejected: true });
      return tf.concat([out.chosenLogps, out.rejected!.logps]); // (2B,)
    });
    const values = Array.from(await stacked.data());
    stacked.dispose();
    forwardPasses++;
    logps.chosen.push(...values.slice(0, batch.length));
    logps.rejected.push(...values.slice(batch.length));
    await options.onBatch?.(start + batch.length);
  }
  return { logps, forwardPasses };
}

/** The key of the shared file: a SHA-256 of the policy's config and weights and of the pairs' token ids. */
export async function referenceKey(policyModelDir: string, pairs: readonly PairIds[]): Promise<string> {
  const hash = createHash('sha256');
  hash.update(await readFile(join(policyModelDir, CONFIG_FILE)));
  await hashWeights(policyModelDir, hash); // model.safetensors, or the index and its shards
  for (const p of pairs) hash.update(JSON.stringify([p.prompt_ids, p.chosen_ids, p.rejected_ids]) + '\n');
  return hash.digest('hex');
}

export function sharedReferenceFile(pairsDir: string, key: string): string {
  return join(dirname(pairsDir), SHARED_REFERENCE_DIR, `${key.slice(0, 32)}.json`);
}

/**
 * The reference log-probabilities of `pairs`: from the stage's own output, else from the
 * shared file, else computed by `compute`; either way written to both places.
 */
export async function cachedReferenceLogps(options: {
  outDir: string;
  policyModelDir: string;
  pairsDir: string;
  pairs: readonly PairIds[];
  compute: () => Promise<ReferenceLogps>;
}): Promise<{ logps: ReferenceLogps; origin: ReferenceOrigin; sharedFile: string }> {
  const key = await referenceKey(options.policyModelDir, options.pairs);
  const own = join(options.outDir, REFERENCE_LOGPS_FILE);
  const shared = sharedReferenceFile(options.pairsDir, key);
  const found = (await readReferenceFile(own, key, options.pairs.length)) ?? (await readReferenceFile(shared, key, options.pairs.length));
  const origin: ReferenceOrigin = found ? (found.file === own ? 'stage' : 'shared') : 'computed';
  const logps = found?.logps ?? (await options.compute());
  const json = JSON.stringify({ key, pairs: options.pairs.length, ...logps }) + '\n';
  if (origin !== 'shared') {
    await mkdir(dirname(shared), { recursive: true });
    await writeFileAtomic(shared, json);
  }
  if (origin !== 'stage') await writeFileAtomic(own, json);
  return { logps, origin, sharedFile: shared };
}

/** The file's log-probabilities if it exists and was made for `key` and `count` pairs. */
async function readReferenceFile(file: string, key: string, count: number): Promise<{ file: string; logps: ReferenceLogps } | undefined> {
  if (!existsSync(file)) return undefined;
  try {
    const json = JSON.parse(await readFile(file, 'utf8')) as { key?: string; chosen?: unknown; rejected?: unknown };
    const numbers = (x: unknown): x is number[] => Array.isArray(x) && x.length === count && x.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (json.key !== key || !numbers(json.chosen) || !numbers(json.rejected)) return undefined;
    return { file, logps: { chosen: json.chosen, rejected: json.rejected } };
  } catch {
    return undefined; // unreadable: computed again and rewritten
  }
}
