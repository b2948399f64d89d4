/**
 * `dpo-run report RUN_OR_SWEEP_FOLDER`: writes report.md, frontier.svg and win_rates.svg
 * into the folder, from the evaluate stages of the run (or of every run of the sweep).
 */
import { EXIT } from '../core/errors.ts';
import { readRunReport } from '../report/readRun.ts';
import { writeReport } from '../report/writeReport.ts';

export async function reportCommand(folder: string): Promise<number> {
  const inputs = await readRunReport(folder);
  const files = await writeReport(folder, inputs);
  process.stdout.write(files.map((f) => `wrote ${f}\n`).join(''));
  return EXIT.ok;
}
