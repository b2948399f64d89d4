/**
 * Loading a pipeline from its YAML document, with positions: parse -> apply --set/--sweep
 * -> validate -> plan -> check paths, every problem a diagnostic at its line and column
 * (or on the command line). A file that parses cleanly is kept in the parse cache
 * (./parsedCache.ts), so that the next clean load of it needs no parser (./index.ts).
 */
import type { Document, LineCounter } from 'yaml';
import type { Issue } from './issue.ts';
import { applyOverrides } from './applyOverrides.ts';
import { commandLineDiagnostic, parseOverrides, type Override, type RunSweep } from './overrides.ts';
import { parseYaml } from './parse.ts';
import { storeParsed } from './parsedCache.ts';
import { missingPathIssues } from './paths.ts';
import { planOf } from './plan.ts';
import { fromPointer, isUnder, toPointer } from './pointer.ts';
import { locate } from './positions.ts';
import type { Diagnostic, LoadResult, Plan } from './types.ts';
import { validatePipeline } from './validate.ts';
import type { LoadOptions } from './index.ts';

export function loadDocument(file: string, text: string, options: LoadOptions): LoadResult {
  const parsed = parseYaml(file, text);
  if (parsed.diagnostics.length > 0) return { errors: parsed.diagnostics };
  storeParsed(text, parsed.doc.toJS());

  const commandLine = parseOverrides(options);
  const original = parsed.doc.clone();
  const doc = parsed.doc;
  const applied = applyOverrides(doc, commandLine.overrides);
  const errors = [...commandLine.diagnostics, ...applied.diagnostics];
  const plans: Plan[] = [];
  for (const run of runCombinations(commandLine.runSweeps)) {
    const runDoc = run.overrides.length > 0 ? doc.clone() : doc;
    errors.push(...applyOverrides(runDoc, run.overrides).diagnostics);
    const { issues, resolved } = validatePipeline(runDoc.toJS());
    const origins = [...commandLine.overrides, ...run.overrides];
    const where = { file, doc: runDoc, original, lineCounter: parsed.lineCounter, origins };
    errors.push(...issues.map((issue) => toDiagnostic(issue, where)));
    if (issues.length === 0) {
      const plan = planOf(file, resolved, run.values);
      if (options.checkPaths !== false) errors.push(...missingPathIssues(plan).map((issue) => toDiagnostic(issue, where)));
      plans.push(plan);
    }
  }
  if (errors.length > 0) return { errors: sortDiagnostics(dedupe(errors)) };
  return { plans, sweep: commandLine.runSweeps.length > 0, notes: applied.notes };
}

/** One run per combination of the command-line sweeps outside the stages. */
function runCombinations(sweeps: RunSweep[]): { overrides: Override[]; values: Record<string, unknown> }[] {
  let runs: { overrides: Override[]; values: Record<string, unknown> }[] = [{ overrides: [], values: {} }];
  for (const sweep of sweeps) {
    runs = runs.flatMap((run) =>
      sweep.values.map((value) => ({
        overrides: [...run.overrides, { segments: sweep.segments, value, arg: sweep.arg, code: 'bad-sweep' as const }],
        values: { ...run.values, [sweep.segments.join('.')]: value },
      })),
    );
  }
  return runs;
}

interface Where {
  file: string;
  doc: Document;
  original: Document;
  lineCounter: LineCounter;
  origins: Override[];
}

/**
 * Gives an issue its position: in the file, or on the command line when it lies under a
 * value that --set/--sweep wrote (or where the file has nothing, under such a value).
 */
function toDiagnostic(issue: Issue, where: Where): Diagnostic {
  const at = issue.at ?? issue.path;
  const atSegments = fromPointer(at);
  const latestFirst = [...where.origins].reverse();
  let origin = latestFirst.find((o) => isUnder(issue.path, toPointer(o.segments)));
  if (!origin && at !== '' && !where.original.hasIn(atSegments)) {
    origin = latestFirst.find((o) => isUnder(toPointer(o.segments), at));
  }
  if (origin) return commandLineDiagnostic(origin.code, issue.path, `${origin.arg}: ${issue.message}`, issue.suggestion);
  const { line, col } = locate(where.doc, where.lineCounter, atSegments, issue.anchor);
  return {
    file: where.file,
    line,
    col,
    code: issue.code,
    path: issue.path,
    message: issue.message,
    ...(issue.suggestion ? { suggestion: issue.suggestion } : {}),
  };
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = JSON.stringify(d);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** Command-line problems first, then by position (stable). */
function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => (a.line === 0 ? 0 : 1) - (b.line === 0 ? 0 : 1) || a.line - b.line || a.col - b.col);
}
