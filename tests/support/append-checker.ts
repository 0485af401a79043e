/** What the multi-writer checker found. */
export interface CheckReport {
  acknowledged: number;
  present: number;
  lost: string[];
  duplicated: string[];
  neverAttempted: string[];
  outOfOrder: string[];
}

/**
 * The checker for every multi-writer scenario: ids are `writer:n`. Every acknowledged id must be
 * present exactly once, no id may appear that was never attempted, and each writer's ids must
 * appear in increasing order.
 *
 * @param present the ids in the file, in file order
 * @param acknowledged ids whose write resolved
 * @param attempted the highest n each writer attempted (ids above it were never attempted)
 */
export function checkAppends(present: string[], acknowledged: Iterable<string>, attempted: Map<string, number>): CheckReport {
  const counts = new Map<string, number>();
  for (const id of present) counts.set(id, (counts.get(id) ?? 0) + 1);
  const acked = [...acknowledged];
  const lastSeen = new Map<string, number>();
  const outOfOrder: string[] = [];
  const neverAttempted: string[] = [];
  for (const id of present) {
    const [writer, nText] = id.split(':');
    const n = Number(nText);
    if (!attempted.has(writer!) || n > attempted.get(writer!)! || !Number.isInteger(n)) neverAttempted.push(id);
    if ((lastSeen.get(writer!) ?? 0) >= n) outOfOrder.push(id);
    lastSeen.set(writer!, n);
  }
  return {
    acknowledged: acked.length,
    present: present.length,
    lost: acked.filter((id) => !counts.has(id)),
    duplicated: [...counts].filter(([, c]) => c > 1).map(([id]) => id),
    neverAttempted,
    outOfOrder,
  };
}
