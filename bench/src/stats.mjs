/** Summary statistics for latency samples (milliseconds). */

/** The q-quantile (0..1) of `samples` by nearest rank; samples need not be sorted. */
export function percentile(samples, q) {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export function mean(samples) {
  return samples.length === 0 ? NaN : samples.reduce((a, b) => a + b, 0) / samples.length;
}

/** p50, p99 and mean of a list of latencies. */
export function summarize(samples) {
  return { n: samples.length, p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), mean: mean(samples) };
}

/** Least-squares slope of y against x: how fast latency grows with file size. */
export function slope(points) {
  const n = points.length;
  const mx = mean(points.map((p) => p.x));
  const my = mean(points.map((p) => p.y));
  let num = 0;
  let den = 0;
  for (const { x, y } of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return n < 2 || den === 0 ? NaN : num / den;
}

/** Milliseconds since `start` (a process.hrtime.bigint()). */
export function elapsedMs(start) {
  return Number(process.hrtime.bigint() - start) / 1e6;
}
