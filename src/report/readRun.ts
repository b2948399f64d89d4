/**
 * The report of a run folder, or of a sweep folder whose member runs are merged: reads
 * manifest.json (and sweep.json), finds the evaluate instances that finished and the
 * training stages, and gathers what the report shows.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { UserError } from '../core/errors.ts';
import type { InstanceRecord, ManifestData } from '../core/manifestRecord.ts';
import { safeName } from '../core/io/safeName.ts';
import { readFrontier, type FrontierRow } from '../evaluation/frontierTable.ts';
import { readWinRates, type WinRateRow } from '../evaluation/winRateTable.ts';
import { readAgreement, type AgreementRow } from '../evaluation/agreement.ts';
import { readHumanAgreement, type HumanAgreementRow } from '../evaluation/humanAgreement.ts';
import { readWinRatesOod } from '../evaluation/outOfDistribution.ts';
import { readEvaluatedSourceKind } from '../evaluation/evaluationIndex.ts';
import { isTrainingKind, readStageSummary } from './trainingSummary.ts';
import type { ReportInputs } from './reportMarkdown.ts';

const FINISHED = new Set(['done', 'cached']);

interface RunParts {
  name: string;
  frontier: FrontierRow[];
  winRates: WinRateRow[];
  agreement: AgreementRow[];
  humanAgreement: HumanAgreementRow[];
  winRatesOod: WinRateRow[];
  /** The first evaluation's dataset source kind (which experiment this is). */
  sourceKind: string | null;
  stages: ReportInputs['stages'];
}

async function readJson<T>(file: string): Promise<T> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** An instance's output folder: the run's outputs/ link, else the cache path the manifest names. */
function outputDir(runDir: string, id: string, record: InstanceRecord): string {
  const link = join(runDir, 'outputs', safeName(id));
  return existsSync(link) ? link : record.output;
}

async function readRunParts(runDir: string): Promise<RunParts> {
  const manifest = await readJson<ManifestData>(join(runDir, 'manifest.json'));
  const finished = Object.entries(manifest.instances).filter(([, r]) => FINISHED.has(r.status));
  const evaluations = finished.filter(([, r]) => r.kind === 'evaluate');
  if (evaluations.length === 0) {
    throw new UserError(`${runDir}: no evaluate stage finished in this run (manifest status: ${manifest.status})`, 'add an evaluate stage to the pipeline, or run it: dpo-run PIPELINE --only eval');
  }
  const frontier: FrontierRow[] = [];
  const winRates: WinRateRow[] = [];
  const agreement: AgreementRow[] = [];
  const humanAgreement: HumanAgreementRow[] = [];
  const winRatesOod: WinRateRow[] = [];
  let sourceKind: string | null = null;
  for (const [id, record] of evaluations) {
    const dir = outputDir(runDir, id, record);
    frontier.push(...(await readFrontier(dir)));
    winRates.push(...(await readWinRates(dir)));
    agreement.push(...(await readAgreement(dir)));
    humanAgreement.push(...(await readHumanAgreement(dir)));
    winRatesOod.push(...(await readWinRatesOod(dir)));
    sourceKind ??= await readEvaluatedSourceKind(dir);
  }
  const training = finished.filter(([, r]) => isTrainingKind(r.kind));
  const stages = await Promise.all(training.map(([id, r]) => readStageSummary(id, r.kind, outputDir(runDir, id, r))));
  return { name: basename(runDir), frontier, winRates, agreement, humanAgreement, winRatesOod, sourceKind, stages };
}

/** What a report of `folder` (a run folder or a sweep folder) shows. */
export async function readRunReport(folder: string): Promise<ReportInputs> {
  const dir = resolve(folder);
  if (existsSync(join(dir, 'manifest.json'))) {
    const parts = await readRunParts(dir);
    return { title: `Report: ${parts.name}`, about: [`Run folder \`${dir}\`.`], ...parts };
  }
  if (!existsSync(join(dir, 'sweep.json'))) {
    throw new UserError(`${dir} is neither a run folder (no manifest.json) nor a sweep folder (no sweep.json)`, 'give a folder under runs/<pipeline>/');
  }
  const sweep = await readJson<{ runs: { folder: string | null; status: string }[] }>(join(dir, 'sweep.json'));
  const members = sweep.runs.filter((r) => r.folder !== null).map((r) => join(dir, r.folder!));
  const parts: RunParts[] = [];
  for (const member of members) {
    try {
      parts.push(await readRunParts(member));
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
    }
  }
  if (parts.length === 0) throw new UserError(`${dir}: no run of this sweep has a finished evaluate stage`);
  // Names are prefixed with the run (`seed=1/dpo[beta=0.1]`) so that the runs' points stay apart.
  const prefix = (run: string, name: string) => `${run}/${name}`;
  return {
    title: `Report: ${basename(dir)}`,
    about: [`Sweep folder \`${dir}\`: ${parts.length} of ${sweep.runs.length} runs merged (${parts.map((p) => p.name).join(', ')}).`],
    frontier: parts.flatMap((p) => p.frontier.map((r) => ({ ...r, policy: prefix(p.name, r.policy), instance: prefix(p.name, r.instance) }))),
    winRates: parts.flatMap((p) => p.winRates.map((r) => ({ ...r, policy: prefix(p.name, r.policy) }))),
    agreement: parts.flatMap((p) => p.agreement.map((r) => ({ ...r, policy: prefix(p.name, r.policy) }))),
    humanAgreement: parts.flatMap((p) => p.humanAgreement.map((r) => ({ ...r, group: prefix(p.name, r.group) }))),
    winRatesOod: parts.flatMap((p) => p.winRatesOod.map((r) => ({ ...r, policy: prefix(p.name, r.policy) }))),
    sourceKind: parts[0].sourceKind,
    stages: parts.flatMap((p) => p.stages.map((s) => ({ ...s, id: prefix(p.name, s.id) }))),
    sweep: parts.map((p) => ({ name: p.name, frontier: p.frontier })),
  };
}
