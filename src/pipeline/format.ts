/**
 * Prints diagnostics for people: one line each, `FILE:LINE:COL: error[CODE] /path: message
 * (did you mean "x"?)`, the source line under it with a caret, then the count.
 */
import { readFileSync } from 'node:fs';
import type { Diagnostic } from './types.ts';

/**
 * The whole report, ending with a newline. `sources` maps each file to its text, for the excerpts; a file not in it is read from
 * disk (and shown without excerpt when it cannot be read).
 */
export function formatDiagnostics(diagnostics: Diagnostic[], sources: Map<string, string> = new Map()): string {
  const texts = new Map(sources);
  const lines: string[] = [];
  for (const d of diagnostics) {
    lines.push(formatLine(d));
    const source = d.line > 0 ? sourceOf(d.file, texts) : undefined;
    const text = source?.split(/\r?\n/)[d.line - 1];
    if (text !== undefined) lines.push(...excerpt(d.line, d.col, text));
  }
  const n = diagnostics.length;
  lines.push(`${n} error${n === 1 ? '' : 's'}; nothing was run.`);
  return lines.join('\n') + '\n';
}

/** The one-line form, also used where no excerpt is wanted. */
export function formatLine(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  const path = d.path ? ` ${d.path}` : '';
  const suggestion = d.suggestion ? ` (did you mean "${d.suggestion}"?)` : '';
  return `${where}: error[${d.code}]${path}: ${d.message}${suggestion}`;
}

function excerpt(line: number, col: number, text: string): string[] {
  const gutter = String(line).length + 2;
  const token = /^("[^"]*"|'[^']*'|[^:,[\]{}#]*[^\s:,[\]{}#])/.exec(text.slice(col - 1))?.[0] ?? '';
  return [
    `${String(line).padStart(gutter)} | ${text}`,
    `${' '.repeat(gutter)} | ${' '.repeat(Math.max(0, col - 1))}${'^'.repeat(Math.max(1, token.length))}`,
  ];
}

function sourceOf(file: string, sources: Map<string, string>): string | undefined {
  if (!sources.has(file)) {
    try {
      sources.set(file, readFileSync(file, 'utf8'));
    } catch {
      return undefined;
    }
  }
  return sources.get(file);
}
