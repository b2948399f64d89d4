/**
 * What the cache's integrity checks cost (issue 13): the sha256 of every file when an
 * entry is committed (describeFiles), the size check on every use (checkFiles without
 * hashes), and `dpo-run verify`'s full check (with hashes), on an entry shaped as a PPO
 * entry of imdb.yaml after commit: five 4.2 MB model files and their small neighbours,
 * 21 MB in all. Milliseconds, the median of five; MB/s for the hash.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { checkFiles, describeFiles } from '../../src/executor/entryFiles.ts';
import { median, round, timeRepeats, type BenchCase } from './types.ts';

const MODEL_BYTES = 4_161_712;

function ppoShapedEntry(dir: string): number {
  let bytes = 0;
  const write = (path: string, size: number) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), randomBytes(size));
    bytes += size;
  };
  for (const folder of ['model', ...[10, 20, 30, 40].map((s) => `checkpoints/step-0000${s}`)]) {
    write(`${folder}/model.safetensors`, MODEL_BYTES);
    write(`${folder}/tokenizer.json`, 72_262);
    write(`${folder}/config.json`, 600);
  }
  write('metrics.csv', 10_705);
  return bytes;
}

export const cacheChecks: BenchCase = {
  name: 'cache_checks',
  description: 'milliseconds of the cache integrity checks on a 21 MB entry (a PPO entry of imdb.yaml): sha256 of every file at commit, sizes on use, verify with hashes',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'dpo-run-bench-cache-'));
    try {
      const bytes = ppoShapedEntry(dir);
      const files = describeFiles(dir, []);
      const commit = median(await timeRepeats(() => void describeFiles(dir, []), 5));
      const use = median(await timeRepeats(() => void checkFiles(dir, files, false), 5));
      const verify = median(await timeRepeats(() => void checkFiles(dir, files, true), 5));
      return {
        entry_mb: round(bytes / 2 ** 20),
        files: files.length,
        commit_hash_ms: round(commit * 1000),
        hash_mb_per_s: round(bytes / 2 ** 20 / commit),
        use_size_check_ms: round(use * 1000, 2),
        verify_ms: round(verify * 1000),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
