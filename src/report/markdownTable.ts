/**
 * Markdown tables for report.md: a header row, an alignment row (numbers right-aligned),
 * and cells with `|` escaped.
 */

export type TableCell = string | number | null;

/** A number with `digits` significant digits at most (integers whole); `–` for null or NaN. */
export function formatNumber(value: number | null, digits = 3): string {
  if (value === null || Number.isNaN(value)) return '–';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(digits - 1);
  return String(Number(value.toPrecision(digits)));
}

/** `mean ± se`. */
export function formatMeanSe(mean: number | null, se: number | null): string {
  return se === null || Number.isNaN(se) ? formatNumber(mean) : `${formatNumber(mean)} ± ${formatNumber(se, 2)}`;
}

export function markdownTable(header: readonly string[], rows: readonly (readonly TableCell[])[]): string {
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => typeof r[c] === 'number' || r[c] === null));
  const cell = (v: TableCell) => (typeof v === 'number' || v === null ? formatNumber(v) : v.replace(/\|/g, '\\|').replace(/\n/g, ' '));
  const lines = [
    `| ${header.map((h) => cell(h)).join(' | ')} |`,
    `| ${numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
  return lines.join('\n') + '\n';
}
