import { visibleLength } from './style.js';

/**
 * Renders rows as aligned columns under a header, two spaces apart. The last column is not
 * padded, so long details do not leave trailing blanks.
 */
export function renderTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, i) => Math.max(visibleLength(title), ...rows.map((row) => visibleLength(row[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleLength(cell))))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
