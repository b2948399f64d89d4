/** The data sources, by the `kind` a pipeline names in `source:`. */
import type { SourceSettings } from '../settings.ts';
import { aclimdb } from './aclimdb.ts';
import { bundled } from './bundled.ts';
import { cnnDailymail } from './cnnDailymail.ts';
import { csv } from './csv.ts';
import { hhRlhf } from './hhRlhf.ts';
import { imdb } from './imdb.ts';
import { jsonl } from './jsonl.ts';
import { tldr } from './tldr.ts';
import type { Source } from './types.ts';

export const sources: { [K in SourceSettings['kind']]: Source<Extract<SourceSettings, { kind: K }>> } = {
  bundled,
  jsonl,
  csv,
  aclimdb,
  imdb,
  tldr,
  hh_rlhf: hhRlhf,
  cnn_dailymail: cnnDailymail,
};

/** The source that `settings.kind` names. */
export function sourceFor<S extends SourceSettings>(settings: S): Source<S> {
  return sources[settings.kind] as unknown as Source<S>;
}
