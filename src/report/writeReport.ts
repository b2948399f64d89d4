/**
 * Writes a report into a folder: report.md, frontier.svg and win_rates.svg.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../core/io/atomicFile.ts';
import { frontierSpec, winRateSpec } from './plots.ts';
import { renderSvg } from './renderSvg.ts';
import { FRONTIER_SVG, reportMarkdown, WIN_RATES_SVG, type ReportInputs } from './reportMarkdown.ts';

export const REPORT_FILE = 'report.md';

/** The paths written. */
export async function writeReport(dir: string, inputs: ReportInputs): Promise<string[]> {
  const files = [join(dir, REPORT_FILE), join(dir, FRONTIER_SVG), join(dir, WIN_RATES_SVG)];
  await writeFileAtomic(files[0], reportMarkdown(inputs));
  await writeFileAtomic(files[1], await renderSvg(frontierSpec(inputs.frontier)));
  await writeFileAtomic(files[2], await renderSvg(winRateSpec(inputs.winRates)));
  return files;
}
