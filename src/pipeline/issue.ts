/**
 * A problem found in the pipeline's data, before it is given a file position.
 */

export interface Issue {
  /** The JSON pointer the diagnostic names (`/stages/dpo/beta`). */
  path: string;
  code: string;
  message: string;
  suggestion?: string;
  /** Where to point in the source: this pointer (default `path`), at its key or its value. */
  at?: string;
  anchor: 'key' | 'value';
}
