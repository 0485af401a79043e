/**
 * The chart of append latency (p50) against file size, drawn by hand: log-log axes, one line
 * per competitor, a legend on the right. Input rows come from the single-writer workload.
 */
const WIDTH = 860;
const HEIGHT = 480;
const PLOT = { left: 70, right: 560, top: 40, bottom: 420 };
const COLORS = ['#222222', '#d62728', '#ff7f0e', '#9467bd', '#1f77b4', '#17becf', '#2ca02c', '#8c564b', '#bcbd22', '#7f7f7f'];

function escape(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function logScale(min, max, from, to) {
  const a = Math.log10(min);
  const b = Math.log10(max);
  return (v) => from + ((Math.log10(v) - a) / (b - a)) * (to - from);
}

export function latencySvg(rows) {
  const sizes = [...new Set(rows.map((r) => r.size))].sort((a, b) => a - b);
  const ids = [...new Set(rows.map((r) => r.id))];
  const values = rows.map((r) => r.p50).filter((v) => Number.isFinite(v) && v > 0);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const x = logScale(sizes[0], sizes.at(-1), PLOT.left, PLOT.right);
  const y = logScale(yMin, yMax, PLOT.bottom, PLOT.top);
  const parts = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  parts.push(`<text x="${PLOT.left}" y="22" font-size="15" font-weight="bold">Append latency (p50) against file size</text>`);
  for (let decade = yMin; decade <= yMax; decade *= 10) {
    const py = y(decade).toFixed(1);
    parts.push(`<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${py}" y2="${py}" stroke="#e0e0e0"/>`);
    parts.push(`<text x="${PLOT.left - 8}" y="${py}" text-anchor="end" dominant-baseline="middle">${decade >= 1 ? decade : decade.toPrecision(1)} ms</text>`);
  }
  for (const size of sizes) {
    const px = x(size).toFixed(1);
    parts.push(`<line x1="${px}" x2="${px}" y1="${PLOT.top}" y2="${PLOT.bottom}" stroke="#e0e0e0"/>`);
    parts.push(`<text x="${px}" y="${PLOT.bottom + 18}" text-anchor="middle">${size.toLocaleString('en-US')}</text>`);
  }
  parts.push(`<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 40}" text-anchor="middle">events in the file (log scale)</text>`);
  parts.push(`<text transform="translate(16 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle">ms per append (log scale)</text>`);
  ids.forEach((id, i) => {
    const color = COLORS[i % COLORS.length];
    const series = rows.filter((r) => r.id === id && r.p50 > 0).sort((a, b) => a.size - b.size);
    const points = series.map((r) => `${x(r.size).toFixed(1)},${y(r.p50).toFixed(1)}`).join(' ');
    const dash = id === 'raw-floor' ? ' stroke-dasharray="6 4"' : '';
    parts.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="${id.startsWith('prevention') ? 2.5 : 1.5}"${dash}/>`);
    for (const r of series) parts.push(`<circle cx="${x(r.size).toFixed(1)}" cy="${y(r.p50).toFixed(1)}" r="3" fill="${color}"/>`);
    const ly = PLOT.top + 10 + i * 22;
    parts.push(`<line x1="${PLOT.right + 20}" x2="${PLOT.right + 44}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2.5"${dash}/>`);
    parts.push(`<text x="${PLOT.right + 50}" y="${ly}" dominant-baseline="middle">${escape(series[0]?.name ?? id)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
