/**
 * What a data source is: something that, given its settings, yields rows of text with
 * an optional label and an optional split of its own.
 */
import type { StageContext } from '../../core/stageContract.ts';
import type { Label, SourceSettings, Split } from '../settings.ts';

/** One text as a source gives it, before clean-up. */
export interface SourceRow {
  text: string;
  label?: Label;
  /** The split the source itself puts the row in (aclImdb folders, a split field), if any. */
  split?: Split;
  /**
   * The row's own prompt, the start of `text` (tldr: the templated post; hh_rlhf: the
   * conversation up to its last assistant turn); the rest of `text` is its completion.
   * Such rows are kept as written, since their templates' newlines matter.
   */
  prompt?: string;
}

/** What a source may use of the stage's context: log lines, a progress bar, interruption. */
export type SourceEnv = Pick<StageContext, 'log' | 'progress' | 'tick'>;

export interface Source<S extends SourceSettings = SourceSettings> {
  /** A short description for the summary (`bundled: imdb, amazon, yelp`). */
  describe(settings: S): string;
  /** The rows, in a fixed order (the same settings give the same rows in the same order). */
  read(settings: S, env: SourceEnv): AsyncIterable<SourceRow>;
}
