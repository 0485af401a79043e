import { readFile } from 'node:fs/promises';

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

/** Everything the checker found wrong, as readable lines; empty when the run passed. */
export function checkFailures(report: CheckReport): string[] {
  const failures: string[] = [];
  const list = (ids: string[]) => `${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ` (+${ids.length - 10} more)` : ''}`;
  if (report.lost.length > 0) failures.push(`lost acknowledged writes: ${list(report.lost)}`);
  if (report.duplicated.length > 0) failures.push(`duplicated: ${list(report.duplicated)}`);
  if (report.neverAttempted.length > 0) failures.push(`never attempted: ${list(report.neverAttempted)}`);
  if (report.outOfOrder.length > 0) failures.push(`out of writer order: ${list(report.outOfOrder)}`);
  return failures;
}

/** The ids of a `{ events: [{ id }] }` file, in file order; throws if the file does not parse. */
export async function readEventIds(file: string): Promise<string[]> {
  const doc = JSON.parse(await readFile(file, 'utf8')) as { events: Array<{ id: string }> };
  return doc.events.map((e) => e.id);
}
