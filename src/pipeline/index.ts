/**
 * Loading a pipeline: read the YAML (with positions) -> apply --set/--sweep -> validate
 * against the schemas and the cross-stage rules (filling defaults) -> plan -> check the
 * files and folders the plan reads. Returns the plans, or every problem found as
 * diagnostics; it never prints.
 *
 * A file loaded cleanly before, given without overrides, is read from the parse cache
 * (./parsedCache.ts) and needs neither the yaml library nor positions; anything else, and
 * any problem found that way, goes through the document (./loadDocument.ts), which gives
 * each diagnostic its place.
 */
import { readFile } from 'node:fs/promises';
import { loadDocument } from './loadDocument.ts';
import { readParsed } from './parsedCache.ts';
import { missingPathIssues } from './paths.ts';
import { planOf } from './plan.ts';
import type { LoadResult } from './types.ts';
import { validatePipeline } from './validate.ts';

export { formatDiagnostics, formatLine } from './format.ts';
export type { Diagnostic, LoadResult, Plan, StageInstance } from './types.ts';

export interface LoadOptions {
  set: string[];
  sweep: string[];
  /** Whether the files and folders the plan reads must exist (default true). */
  checkPaths?: boolean;
}

export async function loadPipeline(file: string, options: LoadOptions = { set: [], sweep: [] }): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return { errors: [{ file, line: 0, col: 0, code: 'no-file', path: '', message: `cannot read ${file}: ${reason}` }] };
  }
  if (options.set.length === 0 && options.sweep.length === 0) {
    const loaded = loadParsed(file, text, options.checkPaths !== false);
    if (loaded) return loaded;
  }
  return loadDocument(file, text, options);
}

/** The plan of a file from the parse cache, when it is there and has no problem; else undefined. */
function loadParsed(file: string, text: string, checkPaths: boolean): LoadResult | undefined {
  const data = readParsed(text);
  if (data === undefined) return undefined;
  const { issues, resolved } = validatePipeline(data);
  if (issues.length > 0) return undefined;
  const plan = planOf(file, resolved, {});
  if (checkPaths && missingPathIssues(plan).length > 0) return undefined;
  return { plans: [plan], sweep: false, notes: [] };
}
