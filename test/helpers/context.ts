/**
 * A StageContext built by hand, for running one stage kind in a test without the
 * executor: a temporary output folder, a seeded Random, summary.json written for real,
 * metrics rows and log lines kept in memory.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../../src/core/random.ts';
import type { StageContext, StageOutput } from '../../src/core/stageContract.ts';

export interface TestContext<S> extends StageContext<S> {
  /** The lines given to `log`. */
  logs: string[];
  /** The rows logged to each metrics file, by file name. */
  metricRows: Record<string, Record<string, number | string | undefined>[]>;
}

export interface TestContextOptions {
  seed?: number;
  /** The output folder (default: a new temporary one). */
  outDir?: string;
  inputs?: Record<string, StageOutput[]>;
  id?: string;
}

/** Makes a TestContext for a stage with `settings`. */
export async function testContext<S>(settings: S, options: TestContextOptions = {}): Promise<TestContext<S>> {
  const seed = options.seed ?? 0;
  const outDir = options.outDir ?? (await mkdtemp(join(tmpdir(), 'dpo-run-stage-')));
  const logs: string[] = [];
  const metricRows: TestContext<S>['metricRows'] = {};
  return {
    id: options.id ?? 'test',
    settings,
    inputs: options.inputs ?? {},
    outDir,
    seed,
    random: new Random(seed),
    metrics(columns, file = 'metrics.csv') {
      const rows = (metricRows[file] = [] as Record<string, number | string | undefined>[]);
      return {
        log(row) {
          const unknown = Object.keys(row).filter((k) => !columns.includes(k));
          if (unknown.length > 0) throw new Error(`metrics ${file}: unknown columns ${unknown.join(', ')}`);
          rows.push(row);
        },
        async close() {},
      };
    },
    async summary(values) {
      await writeFile(join(outDir, 'summary.json'), JSON.stringify(values, null, 2) + '\n');
    },
    progress: { start() {}, update() {}, stop() {} },
    log: (message) => void logs.push(message),
    tick: async () => {},
    backend: 'cpu',
    logs,
    metricRows,
  };
}
