/**
 * The `bundled` source: the sentiment-labelled sentences of Kotzias, Denil, de Freitas
 * and Smyth (2015), "From Group to Individual Labels using Deep Features" (KDD), 1,000
 * each from IMDb, Amazon and Yelp reviews (label 1 positive, 0 negative), as the npm
 * package `sentiment` ships them in test/fixtures/{imdb,amazon,yelp}.json. No network.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { StageError } from '../../core/errors.ts';
import type { BundledSource } from '../settings.ts';
import type { Source, SourceRow } from './types.ts';

/** The folder of the sentiment package's fixtures. */
export function bundledFolder(): string {
  const packageJson = createRequire(import.meta.url).resolve('sentiment/package.json');
  return join(dirname(packageJson), 'test', 'fixtures');
}

export const bundled: Source<BundledSource> = {
  describe: (s) => `bundled: ${s.sets.join(', ')}`,

  async *read(s) {
    for (const set of s.sets) {
      const path = join(bundledFolder(), `${set}.json`);
      const sentences = JSON.parse(await readFile(path, 'utf8')) as { text: unknown; class: unknown }[];
      for (const [i, { text, class: label }] of sentences.entries()) {
        if (text === '') continue; // each file ends with an empty {"text": "", "class": null}
        if (typeof text !== 'string' || (label !== 0 && label !== 1)) {
          throw new StageError(`${path}: entry ${i} is not a {text, class: 0|1} sentence`, 'Reinstall the sentiment package (npm ci).');
        }
        yield { text, label } satisfies SourceRow;
      }
    }
  },
};
