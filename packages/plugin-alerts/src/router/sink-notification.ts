import type { Alert } from '@prevention/core';
import { isOwnDeliveryFailure } from '../delivery/delivery-failure-alert.js';
import { outranks } from '../severity.js';
import type { NotificationEntry } from './notification-log.js';
import { untracked, type TrackedAlert } from './tracked-alerts.js';

/** What one group's turn has to tell one sink. */
export interface SinkNotificationInput {
  /** The group's key. */
  group: string;
  sink: string;
  /** The group's firing alerts, silenced and inhibited ones left out. */
  firing: readonly TrackedAlert[];
  /** The group's resolved alerts. */
  resolved: readonly TrackedAlert[];
  /** What this sink was last told for this group, if anything. */
  entry: NotificationEntry | undefined;
  /** Whether the sink is told when its alerts resolve. */
  sendResolved: boolean;
  now: number;
  /** The route's `repeatInterval`, in milliseconds. */
  repeatIntervalMs: number;
  /** Whether the alert, at its current severity, still takes the group's route. */
  takesThisRoute(alert: Alert): boolean;
}

/**
 * The decision for one sink: send it `alerts` (and record `record` once it is handled), forget
 * what it was told (`record` says it knows of nothing firing), or nothing.
 */
export type SinkNotification = { action: 'send'; alerts: Alert[]; record: NotificationEntry } | { action: 'forget'; record: NotificationEntry } | { action: 'none' };

/**
 * Decides whether a group has something new to say to a sink: an alert it was not told fires,
 * one that got more severe, a resolution it is owed, or firing alerts once `repeatInterval` has
 * passed. A sink is never told about its own delivery failures: it would fail on them too.
 */
export function sinkNotification(input: SinkNotificationInput): SinkNotification {
  const { group, sink, entry, now } = input;
  const firing = input.firing.filter((alert) => !isOwnDeliveryFailure(alert, sink));
  const resolved = input.sendResolved ? input.resolved.filter((alert) => entry?.firing.includes(alert.fingerprint) && !isOwnDeliveryFailure(alert, sink)) : [];
  // An alert that got worse is news again, but only in the groups its new severity routes
  // it to: a route it left is not told twice.
  const worse = (alert: Alert): boolean =>
    entry !== undefined && outranks(alert.severity, entry.severities[alert.fingerprint] ?? alert.severity) && input.takesThisRoute(alert);
  const news = firing.some((alert) => !entry?.firing.includes(alert.fingerprint) || worse(alert));
  const newlyResolved = resolved.some((alert) => !entry?.resolved.includes(alert.fingerprint));
  const repeat = firing.length > 0 && entry !== undefined && now - entry.sentAt >= input.repeatIntervalMs;
  if (!news && !newlyResolved && !repeat) {
    // Everything this sink was told about has ended (silently, for a sink without
    // sendResolved): forget it, so the same alert firing again is news.
    if (firing.length === 0 && entry && entry.firing.length > 0) return { action: 'forget', record: { ...entry, firing: [], severities: {} } };
    return { action: 'none' };
  }
  return {
    action: 'send',
    alerts: [...firing, ...resolved].map((alert) => structuredClone(untracked(alert))),
    record: {
      group,
      sink,
      firing: firing.map((a) => a.fingerprint),
      severities: Object.fromEntries(firing.map((a) => [a.fingerprint, a.severity])),
      resolved: resolved.map((a) => a.fingerprint),
      sentAt: now,
    },
  };
}

/** True while a sink with `sendResolved` was told the alert fires (`entry`) and not yet that it resolved. */
export function owesResolvedNotice(entry: NotificationEntry | undefined, fingerprint: string, sendResolved: boolean): boolean {
  return sendResolved && entry !== undefined && entry.firing.includes(fingerprint) && !entry.resolved.includes(fingerprint);
}
