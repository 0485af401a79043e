import { competitors } from '../competitors/index.mjs';
import { sequentialAppends } from '../harness.mjs';

/**
 * Workload 1: one writer appending one event at a time, durably, to a file of 1,000 / 10,000 /
 * 100,000 events. Each append rewrites the whole file for every JSON competitor, so the larger
 * sizes get fewer iterations (a 100,000-event file is ~40 MB per append).
 */
export const SIZES = [1_000, 10_000, 100_000];

export function iterationsFor(size, quick) {
  if (quick) return 3;
  return size >= 100_000 ? 5 : size >= 10_000 ? 30 : 100;
}

export async function singleWriter({ quick = false, sizes = SIZES, log = () => {} } = {}) {
  const rows = [];
  for (const size of sizes) {
    for (const competitor of competitors) {
      const iterations = iterationsFor(size, quick);
      log(`single writer: ${competitor.id} at ${size} events × ${iterations}`);
      const result = await sequentialAppends(competitor, { size, iterations, warmup: size >= 100_000 || quick ? 1 : 3 });
      rows.push({ size, id: competitor.id, name: competitor.name, iterations, ...result });
    }
  }
  return rows;
}
