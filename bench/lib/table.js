// Minimal fixed-width table printer shared by the benchmark suites.

/**
 * @param {{ header: string, align?: 'left' | 'right' }[]} columns
 * @param {string[][]} rows cells already formatted as strings. A row shorter than `columns` ends in a
 *   free-text cell (e.g. 'not available: …') that spans the remaining columns and does not widen them.
 */
export function formatTable(columns, rows) {
  const isFree = (row, i) => row.length < columns.length && i === row.length - 1;
  const widths = columns.map((col, i) =>
    Math.max(
      col.header.length,
      ...rows.map((row) => (i < row.length && !isFree(row, i) ? row[i].length : 0)),
    ),
  );
  const pad = (text, i) => (columns[i].align === 'right' ? text.padStart(widths[i]) : text.padEnd(widths[i]));
  const line = (row) =>
    row
      .map((cell, i) => (isFree(row, i) ? cell : pad(cell, i)))
      .join('  ')
      .trimEnd();
  const header = line(columns.map((c) => c.header));
  return [header, widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** 1234567.8 -> '1,234,568' */
export function formatInt(n) {
  return Math.round(n).toLocaleString('en-US');
}

/** Ratio with two significant decimals: 1.234 -> '1.23×', 87.6 -> '87.6×'. */
export function formatRatio(r) {
  if (!Number.isFinite(r)) return '-';
  return (r >= 10 ? r.toFixed(1) : r.toFixed(2)) + '×';
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
