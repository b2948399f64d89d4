/**
 * A model folder's weight files as Hugging Face writes them (save_pretrained): one
 * `model.safetensors` while the weights fit in one shard of at most `maxShardBytes`, else
 * shards `model-00001-of-0000N.safetensors` ... and `model.safetensors.index.json`,
 * {"metadata": {"total_size": bytes of all tensors}, "weight_map": {tensor name: shard file}}
 * (keys sorted, as transformers writes it). Tensors go to shards in the model's order by
 * huggingface_hub's rule (split_state_dict_into_shards): a tensor larger than the limit
 * gets a shard of its own, any other starts a new shard when it would tip the current one over.
 *
 * Each file is written atomically (temporary name, then rename), the shards before the
 * index, and weight files an earlier save left in the folder (a model.safetensors beside a
 * new index, an index and shards beside a new model.safetensors) are removed last, so that
 * a reader finds the old weights or the new (loadModel prefers model.safetensors), except
 * while new shards replace old ones of the same names: stages and checkpoints write into a
 * fresh folder and rename it. Only one shard's values sit in memory at a time.
 */
import type { Hash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeChunksAtomic, writeFileAtomic } from '../core/io/atomicFile.ts';
import type { GPT } from './gpt.ts';
import { safetensorsHeader } from './safetensors.ts';

export const WEIGHTS_FILE = 'model.safetensors';
/** A sharded checkpoint's index: {"weight_map": {tensor name: shard file name}}, the shards beside it. */
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';
/** transformers' default max_shard_size, "5GB" (decimal: 5 x 10^9 bytes). */
export const MAX_SHARD_BYTES = 5_000_000_000;

const FLOAT = 4; // weights are written as float32

/** The tensors of each shard, in order, by huggingface_hub's rule (see the file's comment). */
export function planShards(tensors: { name: string; bytes: number }[], maxShardBytes: number): string[][] {
  if (!(maxShardBytes > 0)) throw new RangeError(`planShards: maxShardBytes must be positive, got ${maxShardBytes}`);
  const shards: string[][] = [];
  let current: string[] = [];
  let currentBytes = 0;
  for (const { name, bytes } of tensors) {
    if (bytes > maxShardBytes) {
      shards.push([name]);
      continue;
    }
    if (currentBytes + bytes > maxShardBytes) {
      shards.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(name);
    currentBytes += bytes;
  }
  if (current.length > 0) shards.push(current);
  return shards;
}

/** Shard i (from 0) of n: model-0000{i+1}-of-0000{n}.safetensors. */
export function shardFileName(i: number, n: number): string {
  const five = (k: number) => String(k).padStart(5, '0');
  return `model-${five(i + 1)}-of-${five(n)}.safetensors`;
}

/** Writes `model`'s parameters into `dir` as model.safetensors, or as shards and their index when they exceed maxShardBytes. */
export async function writeWeights(dir: string, model: GPT, maxShardBytes = MAX_SHARD_BYTES): Promise<void> {
  const stale = await weightFilesIn(dir);
  const shards = planShards([...model.params].map(([name, variable]) => ({ name, bytes: variable.size * FLOAT })), maxShardBytes);
  const files = shards.length <= 1 ? [WEIGHTS_FILE] : shards.map((_, i) => shardFileName(i, shards.length));
  for (const [i, names] of shards.entries()) await writeShard(join(dir, files[i]), model, names);
  if (files.length > 1) {
    const weightMap: Record<string, string> = {};
    shards.forEach((names, i) => names.forEach((name) => (weightMap[name] = files[i])));
    const sorted = Object.fromEntries(Object.keys(weightMap).sort().map((name) => [name, weightMap[name]]));
    const totalSize = [...model.params.values()].reduce((sum, variable) => sum + variable.size * FLOAT, 0);
    await writeFileAtomic(join(dir, WEIGHTS_INDEX_FILE), JSON.stringify({ metadata: { total_size: totalSize }, weight_map: sorted }, null, 2) + '\n');
  }
  const written = new Set([...files, ...(files.length > 1 ? [WEIGHTS_INDEX_FILE] : [])]);
  for (const file of stale) if (!written.has(file)) await rm(join(dir, file), { force: true });
}

/**
 * The files holding `dir`'s weights as loadModel reads them: model.safetensors, else the
 * index and the shards it names (sorted); [] when neither is there.
 */
export async function weightFilesOf(dir: string): Promise<string[]> {
  if (existsSync(join(dir, WEIGHTS_FILE))) return [WEIGHTS_FILE];
  const present = await weightFilesIn(dir);
  return present.length === 0 ? [] : [WEIGHTS_INDEX_FILE, ...present.filter((f) => f !== WEIGHTS_INDEX_FILE).sort()];
}

/** Feeds the bytes of `dir`'s weight files (weightFilesOf) into `hash`, streamed; the file names, in order. */
export async function hashWeights(dir: string, hash: Hash): Promise<string[]> {
  const files = await weightFilesOf(dir);
  for (const file of files) {
    for await (const chunk of createReadStream(join(dir, file))) hash.update(chunk as Buffer);
  }
  return files;
}

/** One safetensors file of the named parameters, streamed tensor by tensor (a shard may pass what one buffer holds). */
async function writeShard(path: string, model: GPT, names: string[]): Promise<void> {
  const variables = names.map((name) => model.params.get(name)!);
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield safetensorsHeader(names.map((name, i) => ({ name, shape: variables[i].shape })));
    for (const variable of variables) {
      const values = (await variable.data()) as Float32Array; // (size) float32, little-endian as safetensors
      yield new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    }
  }
  await writeChunksAtomic(path, chunks());
}

/** The weight files in `dir` now: model.safetensors, the index and the shards it names. */
async function weightFilesIn(dir: string): Promise<string[]> {
  const found = existsSync(join(dir, WEIGHTS_FILE)) ? [WEIGHTS_FILE] : [];
  const index = join(dir, WEIGHTS_INDEX_FILE);
  if (!existsSync(index)) return found;
  found.push(WEIGHTS_INDEX_FILE);
  try {
    const weightMap = (JSON.parse(await readFile(index, 'utf8')) as { weight_map?: Record<string, unknown> }).weight_map ?? {};
    for (const shard of new Set(Object.values(weightMap))) {
      if (typeof shard === 'string' && /^model-\d{5}-of-\d{5}\.safetensors$/.test(shard)) found.push(shard);
    }
  } catch {
    // An unreadable index: it is replaced or removed; its shards are left alone.
  }
  return found;
}
