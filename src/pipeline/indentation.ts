/**
 * Finds the mis-indented line behind a YAML syntax error reported elsewhere. "All mapping
 * items must start at the same column" is reported on the lines that disagree with a map's
 * first item, which are the correct ones when the first item (or the key above them) is the
 * line that moved. "Nested mappings are not allowed in compact mappings" is reported on a
 * `key: value` line followed by a more indented one, which is the line that moved when the
 * line after it is back at the first one's column.
 */

export interface IndentationRoot {
  line: number;
  col: number;
  message: string;
}

interface Line {
  number: number;
  indent: number;
  text: string;
}

/** The line that caused the error `message` reported at `errorLine` (1-based), or undefined to keep it. */
export function indentationRoot(text: string, errorLine: number, message: string): IndentationRoot | undefined {
  const lines = contentLines(text);
  const at = lines.findIndex((l) => l.number >= errorLine);
  if (at < 0) return undefined;
  if (message.startsWith('All mapping items must start at the same column')) return sameColumnRoot(lines, at);
  if (message.startsWith('Nested mappings are not allowed in compact mappings')) return nestedRoot(lines, at);
  return undefined;
}

function nestedRoot(lines: Line[], at: number): IndentationRoot | undefined {
  const [line, next, after] = [lines[at], lines[at + 1], lines[at + 2]];
  if (!next || next.indent <= line.indent) return undefined;
  if (after && after.indent !== line.indent) {
    return describe(line, `(indented ${line.indent} spaces) has a value, but the line after it is indented more (${next.indent}): indent them alike`);
  }
  return describe(next, `is indented ${next.indent} spaces, more than the line above it (${line.indent}), which has a value: indent them alike`);
}

function sameColumnRoot(lines: Line[], at: number): IndentationRoot | undefined {
  const { indent } = lines[at];
  const parent = lastIndex(lines, at, (l) => l.indent < indent);
  if (parent < 0) return undefined;
  // The map's first item is the moved line when the error starts right after it.
  const first = lines[parent + 1];
  if (parent + 1 < at && first.indent !== indent && lines.slice(parent + 2, at).every((l) => l.indent > first.indent)) {
    return describe(first, `is indented ${first.indent} spaces, but the items after it ${indent}: indent them alike`);
  }
  // The key above moved left, out of the map its siblings above (at the error's column) are in.
  const sibling = lastIndex(lines, parent, (l) => l.indent <= indent);
  if (sibling >= 0 && lines[sibling].indent === indent) {
    return describe(lines[parent], `is indented ${lines[parent].indent} spaces, but the keys of its map (line ${lines[sibling].number}) ${indent}: indent them alike`);
  }
  return undefined;
}

function describe(line: Line, what: string): IndentationRoot {
  const key = line.text.trim().split(/[:\s]/)[0];
  return { line: line.number, col: line.indent + 1, message: `"${key}" ${what}` };
}

/** The lines holding YAML (not blank, not only a comment), with their indentation. */
function contentLines(text: string): Line[] {
  return text.split(/\r?\n/).flatMap((raw, i) => {
    const trimmed = raw.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) return [];
    return [{ number: i + 1, indent: raw.length - trimmed.length, text: raw }];
  });
}

function lastIndex<T>(items: T[], before: number, test: (item: T) => boolean): number {
  for (let i = before - 1; i >= 0; i--) if (test(items[i])) return i;
  return -1;
}
