/**
 * Writes the command line's overrides into the pipeline's YAML document, in the order
 * given. On the command line the user's word wins: `--set` of a setting the file sweeps
 * replaces that sweep (and a path inside a swept map is set in each of its values), each
 * time with a note saying so; `--set ~PATH` removes a key.
 */
import type { Document } from 'yaml';
import { yaml } from './yamlLibrary.ts';
import { commandLineDiagnostic, type Override } from './overrides.ts';
import { toPointer } from './pointer.ts';
import { closest } from './suggest.ts';
import type { Diagnostic } from './types.ts';

export interface Applied {
  diagnostics: Diagnostic[];
  /** What an override changed besides its own value (a sweep it replaced), for the plan's output. */
  notes: string[];
}

export function applyOverrides(doc: Document, overrides: Override[]): Applied {
  const applied: Applied = { diagnostics: [], notes: [] };
  for (const override of overrides) {
    const problem = checkStage(doc, override) ?? (override.remove ? remove(doc, override) : set(doc, override, applied.notes));
    if (problem) applied.diagnostics.push(problem);
  }
  return applied;
}

/** A path into `stages.NAME.…` must name a stage of the pipeline (a typo would add a stage without a kind). */
function checkStage(doc: Document, override: Override): Diagnostic | undefined {
  const [top, stage] = override.segments;
  const intoStage = top === 'stages' && stage !== undefined && (override.segments.length > 2 || override.remove);
  if (!intoStage || doc.hasIn(['stages', stage])) return undefined;
  const names = keysAt(doc, ['stages']);
  const suggestion = closest(stage, names);
  const add = suggestion ? '' : ` (to add a stage, set it whole: --set 'stages.${stage}={kind: ...}')`;
  return commandLineDiagnostic(override.code, toPointer(['stages', stage]), `${override.arg}: no stage named "${stage}"; stages: ${names.join(', ')}${add}`, suggestion);
}

function remove(doc: Document, override: Override): Diagnostic | undefined {
  const { segments, arg } = override;
  if (!doc.hasIn(segments)) {
    const suggestion = closest(segments.at(-1)!, keysAt(doc, segments.slice(0, -1)));
    return commandLineDiagnostic(override.code, toPointer(segments), `${arg}: the pipeline has no ${segments.join('.')} to remove`, suggestion);
  }
  doc.deleteIn(segments);
  return undefined;
}

function set(doc: Document, override: Override, notes: string[]): Diagnostic | undefined {
  const { segments, arg } = override;
  try {
    if (override.stage === undefined) replaceSweeps(doc, override, notes);
    doc.setIn(segments, doc.createNode(override.value));
    return undefined;
  } catch {
    return commandLineDiagnostic(override.code, toPointer(segments), `${arg}: ${segments.join('.')} goes through a value that is not a map`);
  }
}

/**
 * A `--set` of `stages.NAME.PATH` where the stage's `sweep` varies PATH (or a path under
 * it) removes that sweep; where the sweep varies a map above PATH, PATH is set in each of
 * its values.
 */
function replaceSweeps(doc: Document, override: Override, notes: string[]): void {
  const [top, stage, ...rest] = override.segments;
  if (top !== 'stages' || stage === undefined || rest.length === 0 || rest[0] === 'sweep') return;
  const path = rest.join('.');
  const sweepPath = ['stages', stage, 'sweep'];
  for (const key of keysAt(doc, sweepPath)) {
    const values = doc.getIn([...sweepPath, key]);
    const shown = yaml().isSeq(values) ? `[${values.items.map((v) => String(yaml().isScalar(v) ? v.value : v)).join(', ')}]` : String(values);
    if (key === path || key.startsWith(path + '.')) {
      doc.deleteIn([...sweepPath, key]);
      notes.push(`${override.arg} replaces the sweep of ${key} in the file (${shown}): one instance of ${stage}`);
    } else if (path.startsWith(key + '.') && yaml().isSeq(values)) {
      const inner = path.slice(key.length + 1).split('.');
      values.items.forEach((item, i) => {
        if (yaml().isMap(item)) doc.setIn([...sweepPath, key, i, ...inner], doc.createNode(override.value));
      });
      notes.push(`${override.arg} sets ${inner.join('.')} in each value of the sweep of ${key} in the file`);
    }
  }
  if (doc.hasIn(sweepPath) && keysAt(doc, sweepPath).length === 0) doc.deleteIn(sweepPath);
}

/** The keys of the map at `path` ([] when there is none). */
function keysAt(doc: Document, path: string[]): string[] {
  const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
  return yaml().isMap(node) ? node.items.map((pair) => String(yaml().isScalar(pair.key) ? pair.key.value : pair.key)) : [];
}
