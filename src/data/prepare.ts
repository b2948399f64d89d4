/**
 * From a source's rows to the dataset's texts: clean-up, minimum length, de-duplication,
 * a seeded shuffle, the row limit, and the train/test split.
 */
import type { Random } from '../core/random.ts';
import type { TextRecord } from './artifacts.ts';
import { cleanHtml, hasWords, normalizeWhitespace } from './clean.ts';
import type { DatasetSettings, Split } from './settings.ts';
import type { SourceRow } from './sources/types.ts';

export interface PrepareCounts {
  /** Rows the source gave. */
  read: number;
  /** Dropped for having fewer than min_words words. */
  short: number;
  /** Dropped as a repeat of an earlier text. */
  duplicates: number;
  /** Dropped by the row limit. */
  over_limit: number;
}

type Draft = Omit<TextRecord, 'split'> & { split?: Split };

/**
 * The texts of `rows` in a shuffled order decided by `random`, each with its split.
 * The same rows, settings and seed give the same texts, order and split.
 */
export async function prepareTexts(
  rows: AsyncIterable<SourceRow>,
  settings: DatasetSettings,
  random: Random,
  tick: () => Promise<void>,
): Promise<{ texts: TextRecord[]; counts: PrepareCounts }> {
  const counts: PrepareCounts = { read: 0, short: 0, duplicates: 0, over_limit: 0 };
  const seen = new Set<string>();
  const kept: Draft[] = [];
  for await (const row of rows) {
    if (++counts.read % 1000 === 0) await tick();
    // A row with its own prompt (a template's newlines, a dialogue's turns) is kept as written.
    const text = row.prompt !== undefined ? row.text : normalizeWhitespace(settings.clean_html ? cleanHtml(row.text) : row.text);
    if (!hasWords(text, settings.min_words)) {
      counts.short++;
      continue;
    }
    if (settings.dedupe) {
      if (seen.has(text)) {
        counts.duplicates++;
        continue;
      }
      seen.add(text);
    }
    kept.push({ ...row, text });
  }

  const shuffled = random.shuffle(kept);
  const limited = settings.limit === null ? shuffled : shuffled.slice(0, settings.limit);
  counts.over_limit = shuffled.length - limited.length;
  return { texts: assignSplits(limited, settings.split), counts };
}

/**
 * Gives each text a split. In `random` mode the first round(n * test_fraction) texts (of
 * an already shuffled list) are test; in `source` mode texts keep the split their source
 * gave and only those without one are divided so.
 */
export function assignSplits(texts: Draft[], split: DatasetSettings['split']): TextRecord[] {
  const open = split.mode === 'source' ? texts.filter((t) => t.split === undefined) : texts;
  const test = new Set(open.slice(0, Math.round(open.length * split.test_fraction)));
  return texts.map((t) => {
    const s: Split = split.mode === 'source' && t.split !== undefined ? t.split : test.has(t) ? 'test' : 'train';
    const record: TextRecord = t.label === undefined ? { text: t.text, split: s } : { text: t.text, label: t.label, split: s };
    if (t.prompt !== undefined) record.prompt = t.prompt;
    return record;
  });
}
