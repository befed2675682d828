/** Column alignment: numbers read best right-aligned. */
export type Align = 'left' | 'right';

/**
 * Renders rows as a plain-text table with columns padded to their widest cell, two spaces apart — readable in a
 * terminal and stable to diff.
 */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[],
): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (align[c] === 'right' ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `12.5%`: one decimal, enough to tell 25 % from 24.6 % at a few thousand contexts. */
export function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`;
}
