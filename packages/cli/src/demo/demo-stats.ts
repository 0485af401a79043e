import type { DamageKind } from './messages.js';

/** The 99th percentile of `values` (nearest rank), or undefined for none. */
export function percentile99(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.99 * sorted.length) - 1];
}

/** What the supervisor counts while the demo runs. */
export class DemoStats {
  published = 0;
  acknowledged = 0;
  failedPublishes = 0;
  readonly failures = new Map<string, number>();
  /** Acknowledged event numbers, by agent (each incarnation of an agent has its own name). */
  readonly acked = new Map<string, Set<number>>();
  readonly damage = new Map<DamageKind, number>();
  recovered = 0;
  unrecovered = 0;
  readonly recoveryMs: number[] = [];
  /** Repairs the monitor daemon logged. */
  monitorRepairs = 0;
  killed = 0;
  corruptReads = 0;
  refusedReads = 0;
  /** Demo events in the file at the last successful look. */
  present = 0;

  get corruptions(): number {
    let total = 0;
    for (const count of this.damage.values()) total += count;
    return total;
  }

  ack(agent: string, n: number): void {
    let set = this.acked.get(agent);
    if (!set) this.acked.set(agent, (set = new Set()));
    set.add(n);
    this.acknowledged += 1;
  }

  fail(code: string): void {
    this.failedPublishes += 1;
    this.failures.set(code, (this.failures.get(code) ?? 0) + 1);
  }
}
