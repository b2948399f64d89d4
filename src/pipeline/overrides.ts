/**
 * `--set PATH=VALUE`, `--set ~PATH` and `--sweep PATH=V1,V2,...`, parsed. Values are
 * parsed as YAML and written into the document (./applyOverrides.ts), which is then
 * validated like the file. A sweep of a path inside a stage (`stages.NAME.KEY`, or deeper:
 * `stages.sft.train.lr`) becomes that stage's `sweep: {KEY: [...]}` (one instance per
 * value, in one run); a sweep of any other path (`seed`) makes one run per value.
 */
import { yaml } from './yamlLibrary.ts';
import type { Diagnostic } from './types.ts';

export const COMMAND_LINE = '<command line>';

/** A value written into the document (or a key removed from it), and the argument it came from. */
export interface Override {
  segments: string[];
  value: unknown;
  /** The argument as typed, with its flag (`--set stages.dpo.beta=0.1`). */
  arg: string;
  code: 'bad-set' | 'bad-sweep';
  /** For a stage sweep: the stage it needs. */
  stage?: string;
  /** `--set ~PATH` (Hydra's syntax): the key is removed. */
  remove?: boolean;
}

/** A command-line sweep outside the stages: one run per value. */
export interface RunSweep {
  segments: string[];
  values: unknown[];
  arg: string;
}

export interface ParsedOverrides {
  overrides: Override[];
  runSweeps: RunSweep[];
  diagnostics: Diagnostic[];
}

export function commandLineDiagnostic(code: string, path: string, message: string, suggestion?: string): Diagnostic {
  return { file: COMMAND_LINE, line: 0, col: 0, code, path, message, ...(suggestion ? { suggestion } : {}) };
}

export function parseOverrides(options: { set: string[]; sweep: string[] }): ParsedOverrides {
  const result: ParsedOverrides = { overrides: [], runSweeps: [], diagnostics: [] };
  const fail = (code: 'bad-set' | 'bad-sweep', arg: string, message: string) =>
    result.diagnostics.push(commandLineDiagnostic(code, '', `${arg}: ${message}`));
  for (const text of options.set) {
    const arg = `--set ${text}`;
    if (text.startsWith('~')) {
      const segments = splitPath(text.slice(1));
      if (text.includes('=')) fail('bad-set', arg, '~PATH removes a key and takes no value');
      else if (typeof segments === 'string') fail('bad-set', arg, segments);
      else result.overrides.push({ segments, value: undefined, arg, code: 'bad-set', remove: true });
      continue;
    }
    const split = splitAssignment(text);
    if (typeof split === 'string') {
      fail('bad-set', arg, split);
      continue;
    }
    const value = parseValue(split.value);
    if (value.error) fail('bad-set', arg, value.error);
    else result.overrides.push({ segments: split.segments, value: value.value, arg, code: 'bad-set' });
  }
  for (const text of options.sweep) {
    const arg = `--sweep ${text}`;
    const split = splitAssignment(text);
    if (typeof split === 'string') {
      fail('bad-sweep', arg, split.replace('PATH=VALUE', 'PATH=V1,V2,...'));
      continue;
    }
    const values = splitValues(split.value).map(parseValue);
    const bad = values.find((v) => v.error);
    if (bad) {
      fail('bad-sweep', arg, bad.error!);
      continue;
    }
    const { segments } = split;
    if (segments[0] === 'stages' && segments.length < 3) {
      fail('bad-sweep', arg, 'a sweep inside the stages names a setting: stages.NAME.SETTING=V1,V2,...');
    } else if (segments[0] === 'stages') {
      // Any path inside a stage, however deep: one instance per value (`sft[train.lr=0.001]`).
      const [, stage, ...key] = segments;
      result.overrides.push({ segments: ['stages', stage, 'sweep', key.join('.')], value: values.map((v) => v.value), arg, code: 'bad-sweep', stage });
    } else if (result.runSweeps.some((s) => s.segments.join('.') === segments.join('.'))) {
      fail('bad-sweep', arg, `${segments.join('.')} is swept twice`);
    } else {
      result.runSweeps.push({ segments, values: values.map((v) => v.value), arg });
    }
  }
  return result;
}

function splitAssignment(text: string): { segments: string[]; value: string } | string {
  const eq = text.indexOf('=');
  if (eq < 0) return 'expected PATH=VALUE (or ~PATH to remove a key)';
  const segments = splitPath(text.slice(0, eq));
  return typeof segments === 'string' ? segments : { segments, value: text.slice(eq + 1) };
}

function splitPath(path: string): string[] | string {
  const segments = path.split('.');
  if (segments.some((s) => s.trim() === '')) return `"${path}" is not a dotted path (like stages.dpo.beta)`;
  return segments.map((s) => s.trim());
}

function parseValue(text: string): { value?: unknown; error?: string } {
  try {
    return { value: yaml().parse(text) };
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return { error: `"${text}" is not a YAML value: ${reason}` };
  }
}

/** `0.1,1,[a, b],{x: 1, y: 2}` -> its values: commas inside brackets, braces or quotes do not split. */
export function splitValues(text: string): string[] {
  const values: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      values.push(text.slice(start, i));
      start = i + 1;
    }
  }
  values.push(text.slice(start));
  return values;
}
