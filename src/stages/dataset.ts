/**
 * The `dataset` stage: reads texts from a source (src/data/sources/: bundled, jsonl, csv,
 * aclimdb, imdb, tldr, hh_rlhf, cnn_dailymail), cleans, de-duplicates, shuffles, limits and
 * splits them with the seed, and writes texts.jsonl and prompts.jsonl
 * (src/data/artifacts.ts) with a summary of the counts.
 */
import type { StageKind } from '../core/stageContract.ts';
import { writePrompts, writeTexts, type PromptRecord, type TextRecord } from '../data/artifacts.ts';
import { prepareTexts } from '../data/prepare.ts';
import { makePrompts } from '../data/prompts.ts';
import { resolveDatasetSettings, SPLITS, type DatasetSettings } from '../data/settings.ts';
import { sourceFor } from '../data/sources/index.ts';
import { StageError } from '../core/errors.ts';
import { datasetDeclaration } from './declarations.ts';

export const dataset: StageKind<DatasetSettings> = {
  ...datasetDeclaration,

  async run(ctx) {
    const settings = resolveDatasetSettings(ctx.settings as unknown as Record<string, unknown>);
    const source = sourceFor(settings.source);
    const description = source.describe(settings.source);
    ctx.log(`reading ${description}`);

    // Forks in a fixed order: the prompt lengths do not depend on how the shuffle went.
    const shuffleRandom = ctx.random.fork();
    const promptRandom = ctx.random.fork();
    const { texts, counts } = await prepareTexts(source.read(settings.source, ctx), settings, shuffleRandom, () => ctx.tick());
    if (texts.length === 0) {
      throw new StageError(`${description}: no texts left (read ${counts.read}, ${counts.short} shorter than ${settings.min_words} words, ${counts.duplicates} duplicates)`);
    }
    const prompts = makePrompts(texts, settings.prompts, promptRandom);

    await writeTexts(ctx.outDir, texts);
    await writePrompts(ctx.outDir, prompts);
    const summary = {
      source: description,
      ...counts,
      texts: countBySplit(texts),
      labels: labelsBySplit(texts),
      prompts: countBySplit(prompts),
    };
    ctx.log(`${texts.length} texts (train ${summary.texts.train}, test ${summary.texts.test}), ${prompts.length} prompts`);
    await ctx.summary(summary);
  },
};

function countBySplit(rows: (TextRecord | PromptRecord)[]): Record<string, number> {
  const counts = Object.fromEntries(SPLITS.map((s) => [s, 0]));
  for (const r of rows) counts[r.split]++;
  return counts;
}

/** For each split, the number of texts per label (`unlabelled` for texts without one). */
function labelsBySplit(texts: TextRecord[]): Record<string, Record<string, number>> {
  const bySplit: Record<string, Record<string, number>> = Object.fromEntries(SPLITS.map((s) => [s, {}]));
  for (const t of texts) {
    const key = t.label === undefined ? 'unlabelled' : String(t.label);
    bySplit[t.split][key] = (bySplit[t.split][key] ?? 0) + 1;
  }
  return bySplit;
}
