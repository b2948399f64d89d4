/** The name under which a run, a sweep value or an instance is stored on disk. */

/** A file name for values (`seed=1,lr=0.1`), with characters unsafe in a path replaced. */
export function safeName(text: string): string {
  return text.replace(/[\/\\:*?"<>|\s]/g, '_') || '_';
}
