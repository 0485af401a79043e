import type { Alert, CancelTimer, Clock } from '@prevention/core';
import { groupLabelsOf, type ResolvedRoute } from './route.js';

/** The alerts of one route with the same grouping-label values, notified together. */
export interface AlertGroup {
  /** The route's id and the grouping-label values; the notification record is kept under it. */
  readonly key: string;
  readonly route: ResolvedRoute;
  readonly fingerprints: Set<string>;
  cancelTimer: CancelTimer | undefined;
  /** When the group last took its turn, undefined before the first. */
  flushedAt: number | undefined;
}

/**
 * A group's turn: tells its sinks what is new. Returns true while some sink still has an
 * earlier notification of the group in flight, which keeps the group even once it is empty.
 */
export type GroupTurn = (group: AlertGroup, now: number) => boolean;

/**
 * The open alert groups and when each takes its turn: `groupWait` after its first alert, then
 * every `groupInterval` while it holds alerts, and at once for an urgent one. A group that is
 * empty after its turn is dropped.
 */
export class AlertGroups {
  private readonly groups = new Map<string, AlertGroup>();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly turn: GroupTurn,
  ) {}

  /** Adds the alert to its group for `route`; an `urgent` one makes the group take its turn now. */
  add(route: ResolvedRoute, alert: Alert, now: number, urgent: boolean): void {
    const key = `${route.id}:${JSON.stringify(groupLabelsOf(route, alert))}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { key, route, fingerprints: new Set(), cancelTimer: undefined, flushedAt: undefined };
      this.groups.set(key, group);
    }
    group.fingerprints.add(alert.fingerprint);
    if (urgent) {
      group.cancelTimer?.();
      this.take(group);
    } else if (!group.cancelTimer) {
      this.schedule(group, group.flushedAt === undefined ? route.groupWaitMs : Math.max(0, group.flushedAt + route.groupIntervalMs - now));
    }
  }

  /** True when some group holds the alert. */
  holds(fingerprint: string): boolean {
    return [...this.groups.values()].some((group) => group.fingerprints.has(fingerprint));
  }

  /** Gives every group its last turn now, and schedules no further one. */
  close(): void {
    // Closed first, so the last turn of each group schedules no further one.
    this.closed = true;
    for (const group of this.groups.values()) {
      group.cancelTimer?.();
      this.take(group);
    }
  }

  private schedule(group: AlertGroup, delayMs: number): void {
    group.cancelTimer?.();
    group.cancelTimer = this.clock.setTimeout(() => {
      group.cancelTimer = undefined;
      this.take(group);
    }, delayMs);
  }

  private take(group: AlertGroup): void {
    const now = this.clock.now();
    group.flushedAt = now;
    const pending = this.turn(group, now);
    if (group.fingerprints.size === 0 && !pending) {
      group.cancelTimer?.();
      this.groups.delete(group.key);
    } else if (!this.closed) {
      this.schedule(group, group.route.groupIntervalMs);
    }
  }
}
