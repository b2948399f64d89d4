/**
 * Reads a pipeline's YAML, keeping every node's position for the diagnostics. A syntax
 * error or a duplicate key is a diagnostic with its line and column. Merge keys
 * (`<<: *defaults`) are allowed, so that stages can share settings.
 *
 * One mis-indented line makes the parser report an error on every line after it, so only
 * the first syntax error is reported (with the count of the others), at the line that
 * caused it (./indentation.ts).
 */
import type { Document, LineCounter } from 'yaml';
import { yaml } from './yamlLibrary.ts';
import { indentationRoot } from './indentation.ts';
import { PARSE_OPTIONS } from './parseOptions.ts';
import type { Diagnostic } from './types.ts';

export interface ParsedYaml {
  doc: Document;
  lineCounter: LineCounter;
  diagnostics: Diagnostic[];
}

export function parseYaml(file: string, text: string): ParsedYaml {
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, ...PARSE_OPTIONS });
  const diagnostics = doc.errors.map((error): Diagnostic => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    const duplicate = error.code === 'DUPLICATE_KEY';
    return {
      file,
      line,
      col,
      code: duplicate ? 'duplicate-key' : 'yaml-syntax',
      path: '',
      message: duplicate
        ? `duplicate key "${keyAt(text, error.pos[0])}": a key may appear once in a map`
        : firstLine(error.message),
    };
  });
  return { doc, lineCounter, diagnostics: firstSyntaxError(diagnostics, text) };
}

/** Duplicate keys, and the first syntax error only, moved to the line that caused it and counting the others. */
function firstSyntaxError(diagnostics: Diagnostic[], text: string): Diagnostic[] {
  const syntax = diagnostics.filter((d) => d.code === 'yaml-syntax');
  if (syntax.length === 0) return diagnostics;
  const [first] = syntax;
  const root = indentationRoot(text, first.line, first.message);
  const more = syntax.length > 1 ? ` (and ${syntax.length - 1} more syntax error${syntax.length > 2 ? 's' : ''} after it, probably caused by this one)` : '';
  const reported: Diagnostic = root ? { ...first, ...root, message: root.message + more } : { ...first, message: first.message + more };
  return [...diagnostics.filter((d) => d.code !== 'yaml-syntax'), reported];
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** The plain key that starts at `offset` (up to its colon). */
function keyAt(text: string, offset: number): string {
  return text.slice(offset).split(/[:\n]/)[0].trim();
}
