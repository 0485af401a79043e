/** Number formatting shared by the report's tables. */

export function ms(value) {
  if (!Number.isFinite(value)) return '–';
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function ratio(value) {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '–';
}

export function rate(value) {
  if (!Number.isFinite(value)) return '–';
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

export function mb(bytes) {
  return Number.isFinite(bytes) ? (bytes / 1e6).toFixed(bytes >= 1e6 ? 1 : 3) : '–';
}

export function count(n) {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : '–';
}

/** A markdown table from a header row and body rows. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** "met" or "missed by …" for a measured value against a limit (lower is better unless `atLeast`). */
export function verdict(value, limit, { atLeast = false, unit = '×' } = {}) {
  if (!Number.isFinite(value)) return 'not measured';
  const met = atLeast ? value >= limit : value <= limit;
  if (met) return `**met** (${value.toFixed(2)}${unit} vs ${atLeast ? '≥' : '≤'} ${limit}${unit})`;
  const by = atLeast ? ((limit - value) / limit) * 100 : ((value - limit) / limit) * 100;
  return `**missed** by ${by.toFixed(0)}% (${value.toFixed(2)}${unit} vs ${atLeast ? '≥' : '≤'} ${limit}${unit})`;
}
