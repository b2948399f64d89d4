/**
 * The `report` stage: report.md, frontier.svg and win_rates.svg from an evaluate stage's
 * frontier.csv and win_rates.csv, with the training summaries of the evaluated stages
 * (or of the stages listed in `stages`).
 */
import { StageError } from '../core/errors.ts';
import { readEvaluationIndex } from '../evaluation/evaluationIndex.ts';
import { readFrontier } from '../evaluation/frontierTable.ts';
import { readWinRates } from '../evaluation/winRateTable.ts';
import { readAgreement } from '../evaluation/agreement.ts';
import { readHumanAgreement } from '../evaluation/humanAgreement.ts';
import { readWinRatesOod } from '../evaluation/outOfDistribution.ts';
import { readEvaluatedSourceKind } from '../evaluation/evaluationIndex.ts';
import { isTrainingKind, readStageSummary } from '../report/trainingSummary.ts';
import { writeReport } from '../report/writeReport.ts';
import type { ReportSettings } from '../core/settings/report.ts';
import type { StageKind } from '../core/stageContract.ts';
import { reportDeclaration } from './declarations.ts';

export const report: StageKind<ReportSettings> = {
  ...reportDeclaration,

  async run(ctx) {
    const evaluations = ctx.inputs.evaluation ?? [];
    if (evaluations.length !== 1) throw new StageError(`report.evaluation must name one evaluate instance, got ${evaluations.length}`);
    const [evaluation] = evaluations;
    const summarised = ctx.inputs.stages ?? (await readEvaluationIndex(evaluation.dir)).filter((s) => isTrainingKind(s.kind));
    const files = await writeReport(ctx.outDir, {
      title: `Report: ${evaluation.id}`,
      about: [`From the evaluation \`${evaluation.id}\` (${evaluation.dir}).`],
      frontier: await readFrontier(evaluation.dir),
      winRates: await readWinRates(evaluation.dir),
      agreement: await readAgreement(evaluation.dir),
      humanAgreement: await readHumanAgreement(evaluation.dir),
      winRatesOod: await readWinRatesOod(evaluation.dir),
      sourceKind: await readEvaluatedSourceKind(evaluation.dir),
      stages: await Promise.all(summarised.map((s) => readStageSummary(s.id, s.kind, s.dir))),
      temperature: ctx.settings.temperature,
    });
    ctx.log(`wrote ${files.map((f) => f.split(/[\\/]/).pop()).join(', ')}`);
    await ctx.summary({ files: files.map((f) => f.split(/[\\/]/).pop()) });
  },
};
