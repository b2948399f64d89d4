import assert from 'node:assert/strict';
import { prepareTexts } from '../../src/data/prepare.ts';
import { resolveDatasetSettings } from '../../src/data/settings.ts';
import type { SourceRow } from '../../src/data/sources/types.ts';
import { Random } from '../../src/core/random.ts';

async function* fromArray(rows: SourceRow[]): AsyncGenerator<SourceRow> {
  yield* rows;
}

const noTick = async () => {};
const rows: SourceRow[] = Array.from({ length: 200 }, (_, i) => ({ text: `review number ${i} is ${i % 2 ? 'good' : 'bad'}`, label: i % 2 }));

async function prepare(settings: Record<string, unknown>, seed: number, input = rows) {
  return prepareTexts(fromArray(input), resolveDatasetSettings({ source: { kind: 'bundled' }, ...settings }), new Random(seed), noTick);
}

const testTexts = (texts: { text: string; split: string }[]) => texts.filter((t) => t.split === 'test').map((t) => t.text);

describe('preparing texts', () => {
  it('splits the same way for the same seed and differently for another', async () => {
    const a = await prepare({}, 1);
    const b = await prepare({}, 1);
    const c = await prepare({}, 2);
    assert.deepEqual(a.texts, b.texts);
    assert.equal(testTexts(a.texts).length, 20);
    assert.notDeepEqual(testTexts(a.texts).sort(), testTexts(c.texts).sort());
  });

  it('takes round(n * test_fraction) texts for test', async () => {
    const { texts } = await prepare({ split: { test_fraction: 0.25 } }, 0);
    assert.equal(testTexts(texts).length, 50);
    assert.equal(texts.length, 200);
  });

  it('keeps the same texts under a limit for the same seed', async () => {
    const a = await prepare({ limit: 30 }, 5);
    const b = await prepare({ limit: 30 }, 5);
    assert.equal(a.texts.length, 30);
    assert.equal(a.counts.over_limit, 170);
    assert.deepEqual(a.texts, b.texts);
  });

  it('keeps the source\'s splits in source mode and splits the rest at random', async () => {
    const input: SourceRow[] = [
      ...Array.from({ length: 10 }, (_, i): SourceRow => ({ text: `kept train ${i}`, split: 'train' })),
      ...Array.from({ length: 10 }, (_, i): SourceRow => ({ text: `kept test ${i}`, split: 'test' })),
      ...Array.from({ length: 10 }, (_, i): SourceRow => ({ text: `open ${i}` })),
    ];
    const { texts } = await prepare({ split: { mode: 'source', test_fraction: 0.5 } }, 3, input);
    for (const t of texts) if (t.text.startsWith('kept')) assert.equal(t.split, t.text.split(' ')[1]);
    assert.equal(texts.filter((t) => t.text.startsWith('open') && t.split === 'test').length, 5);
    const random = await prepare({ split: { mode: 'random', test_fraction: 0.5 } }, 3, input);
    assert.ok(random.texts.some((t) => t.text.startsWith('kept train') && t.split === 'test'));
  });

  it('cleans HTML, drops short texts and removes duplicates after clean-up', async () => {
    const input: SourceRow[] = [
      { text: 'Great<br />film', label: 1 },
      { text: 'Great film', label: 1 },
      { text: 'Great  \n film ', label: 0 },
      { text: 'Short', label: 0 },
      { text: '', label: 0 },
    ];
    const { texts, counts } = await prepare({ min_words: 2 }, 0, input);
    assert.deepEqual(texts.map((t) => t.text), ['Great film']);
    assert.deepEqual(counts, { read: 5, short: 2, duplicates: 2, over_limit: 0 });
    const raw = await prepare({ clean_html: false, dedupe: false, min_words: 0 }, 0, input);
    assert.equal(raw.texts.length, 5);
    assert.ok(raw.texts.some((t) => t.text === 'Great<br />film'));
  });
});
