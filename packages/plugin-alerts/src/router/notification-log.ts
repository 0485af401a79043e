import type { AlertSeverity } from '@prevention/core';

/** What was last notified to one sink for one alert group. */
export interface NotificationEntry {
  /** Group key (route and grouping labels). */
  group: string;
  /** Sink name. */
  sink: string;
  /** Fingerprints of the firing alerts in that notification. */
  firing: string[];
  /** The severity each of those firing alerts was notified with, by fingerprint. */
  severities: Record<string, AlertSeverity>;
  /** Fingerprints of the alerts notified as resolved. */
  resolved: string[];
  /** When it was sent (or safely spooled), in epoch milliseconds. */
  sentAt: number;
}

/**
 * The record of what was sent, per group and sink, that dedupe decisions are made from. It is
 * persisted by the router so a restarted process does not notify again.
 */
export class NotificationLog {
  private readonly entries = new Map<string, NotificationEntry>();

  constructor(entries: readonly NotificationEntry[] = []) {
    // State files written before severities were kept have none: an alert in them is not
    // taken as escalated until a notification records its severity.
    for (const entry of entries) this.entries.set(keyOf(entry.group, entry.sink), { ...entry, severities: entry.severities ?? {} });
  }

  get(group: string, sink: string): NotificationEntry | undefined {
    return this.entries.get(keyOf(group, sink));
  }

  record(entry: NotificationEntry): void {
    this.entries.set(keyOf(entry.group, entry.sink), entry);
  }

  /** True when some sink was told that the alert is firing and not yet that it resolved. */
  notifiedFiring(fingerprint: string): boolean {
    for (const entry of this.entries.values()) if (entry.firing.includes(fingerprint)) return true;
    return false;
  }

  /** Forgets entries older than `retentionMs`, so the state file does not grow forever. */
  prune(now: number, retentionMs: number): void {
    for (const [key, entry] of this.entries) if (now - entry.sentAt > retentionMs) this.entries.delete(key);
  }

  toJSON(): NotificationEntry[] {
    return [...this.entries.values()];
  }
}

function keyOf(group: string, sink: string): string {
  return `${group}\u0000${sink}`;
}
