/**
 * `dpo-run report RUN_OR_SWEEP_FOLDER`: writes report.md, frontier.svg and win_rates.svg
 * into the folder, from the evaluate stages of the run (or of every run of the sweep).
 * A damaged output (a JSON file that does not parse, a missing file) is one line naming it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT, UserError } from '../core/errors.ts';
import { fsUserError } from '../core/fsErrors.ts';
import type { ManifestData } from '../core/manifestRecord.ts';
import { safeName } from '../core/io/safeName.ts';
import { readRunReport } from '../report/readRun.ts';
import { writeReport } from '../report/writeReport.ts';

export async function reportCommand(folder: string): Promise<number> {
  const todo = `run dpo-run verify on the run folder to list what is damaged, then the pipeline again to remake it`;
  try {
    checkJsonOutputs(resolve(folder), todo);
    const inputs = await readRunReport(folder);
    const files = await writeReport(folder, inputs);
    process.stdout.write(files.map((f) => `wrote ${f}\n`).join(''));
    return EXIT.ok;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw fsUserError(error, undefined, missing ? todo : undefined) ?? error;
  }
}

/**
 * Parses every JSON file directly in the output folder of each finished instance of the
 * run (or of each run of a sweep), so that a damaged one is named, not a bare SyntaxError.
 */
function checkJsonOutputs(dir: string, todo: string): void {
  const runs = existsSync(join(dir, 'sweep.json'))
    ? (parseJson<{ runs: { folder: string | null }[] }>(join(dir, 'sweep.json'), todo).runs ?? []).flatMap((r) => (r.folder ? [join(dir, r.folder)] : []))
    : [dir];
  for (const runDir of runs) {
    if (!existsSync(join(runDir, 'manifest.json'))) continue; // the report says what is missing
    const manifest = parseJson<ManifestData>(join(runDir, 'manifest.json'), todo);
    for (const [id, record] of Object.entries(manifest.instances ?? {})) {
      if (record.status !== 'done' && record.status !== 'cached') continue;
      const link = join(runDir, 'outputs', safeName(id));
      const output = existsSync(link) ? link : record.output;
      if (!output || !existsSync(output)) continue;
      for (const name of readdirSync(output)) if (name.endsWith('.json')) parseJson(join(output, name), todo);
    }
  }
}

function parseJson<T = unknown>(file: string, todo: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new UserError(`${file}: not valid JSON (${error.message}); ${todo}`, undefined, EXIT.stageFailed);
  }
}
