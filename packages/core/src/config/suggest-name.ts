/** Edit distance (insertions, deletions, substitutions, adjacent swaps) between two short names. */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate `name` was most likely meant to be, for a "did you mean" (`shema` → `schema`):
 * the closest by edit distance, ignoring case, if it is close enough to be a typo (at most a
 * third of the name's length, at least one edit allowed) or `name` is its beginning (`stale` →
 * `staleMs`, a unit left out). Undefined when nothing is close.
 */
export function suggestName(name: string, candidates: Iterable<string>): string | undefined {
  const typed = name.toLowerCase();
  const limit = Math.max(1, Math.floor(typed.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const known = candidate.toLowerCase();
    const d = distance(typed, known);
    const close = d <= limit || (typed.length >= 3 && known.startsWith(typed));
    if (close && (!best || d < best.distance)) best = { candidate, distance: d };
  }
  return best?.candidate;
}
