import type { Alert } from '@prevention/core';
import type { AlertSignal } from '../alert-signal.js';
import { fingerprintOf } from '../fingerprint.js';
import { outranks } from '../severity.js';

/** An alert as the router holds it: with the time an occurrence resolves by itself. */
export type TrackedAlert = Alert & { resolveAt?: number };

/**
 * What a signal does to the alert it names: nothing (a resolution of an alert that is not
 * firing), a refresh its groups need not hear of (an unchanged repeat), or news for its groups;
 * `urgent` news (it got more severe while a sink knew it as firing) is notified at once.
 */
export type SignalEffect = { effect: 'none' } | { effect: 'refresh'; alert: TrackedAlert } | { effect: 'news'; alert: TrackedAlert; urgent: boolean };

/**
 * Deduplication: merges a signal into the alert with the same fingerprint (`existing`, if
 * any). `notifiedFiring` says whether some sink was told that the alert fires and not yet that
 * it resolved; it is asked only when the answer matters.
 */
export function applySignal(existing: TrackedAlert | undefined, signal: AlertSignal, fingerprint: string, now: number, notifiedFiring: () => boolean): SignalEffect {
  if ((signal.status ?? 'firing') === 'firing') {
    const wasFiring = existing?.status === 'firing';
    // While an alert fires, its severity only rises: a repeat at a lower one refreshes it
    // without taking back what the sinks were told.
    const severity = wasFiring && outranks(existing.severity, signal.severity) ? existing.severity : signal.severity;
    const alert: TrackedAlert = {
      name: signal.name,
      severity,
      labels: { ...signal.labels },
      summary: signal.summary,
      details: signal.details ?? {},
      startsAt: wasFiring ? existing.startsAt : new Date(now).toISOString(),
      status: 'firing',
      fingerprint,
      // endsAt tells every reader of a sink when it stops firing, even if no resolution is ever sent.
      ...(signal.resolveAfterMs === undefined ? {} : { resolveAt: now + signal.resolveAfterMs, endsAt: new Date(now + signal.resolveAfterMs).toISOString() }),
    };
    // An unchanged repeat only refreshes the alert: its groups already know it.
    if (wasFiring && existing.severity === severity) return { effect: 'refresh', alert };
    // A sink told of a lesser problem must not wait a group interval to hear it got worse.
    return { effect: 'news', alert, urgent: wasFiring && notifiedFiring() };
  }
  // Resolving an alert this process never saw still matters after a restart, when a sink
  // was told it fired: the record says so, and the resolved notice is owed.
  if (existing ? existing.status === 'resolved' : !notifiedFiring()) return { effect: 'none' };
  const alert: TrackedAlert = {
    ...(existing ?? { name: signal.name, severity: signal.severity, labels: { ...signal.labels }, details: signal.details ?? {}, startsAt: new Date(now).toISOString(), fingerprint }),
    summary: signal.summary,
    status: 'resolved',
    endsAt: new Date(now).toISOString(),
  };
  return { effect: 'news', alert, urgent: false };
}

/** The alert as sinks and callers see it, without the router's bookkeeping. */
export function untracked({ resolveAt: _, ...alert }: TrackedAlert): Alert {
  return alert;
}

/** The alerts the router knows, by fingerprint: firing ones, and resolved ones until every sink owed a resolved notice had it. */
export class TrackedAlerts {
  private readonly alerts = new Map<string, TrackedAlert>();

  /** Applies a signal (see {@link applySignal}); returns the news its groups must hear, if any. */
  take(signal: AlertSignal, now: number, notifiedFiring: (fingerprint: string) => boolean): { alert: TrackedAlert; urgent: boolean } | undefined {
    const fingerprint = fingerprintOf(signal.name, signal.labels);
    const result = applySignal(this.alerts.get(fingerprint), signal, fingerprint, now, () => notifiedFiring(fingerprint));
    if (result.effect === 'none') return undefined;
    this.alerts.set(fingerprint, result.alert);
    return result.effect === 'news' ? result : undefined;
  }

  /** The alert with this fingerprint as of `now`: one whose `resolveAt` has passed is resolved first, as of that time. */
  current(fingerprint: string, now: number): TrackedAlert | undefined {
    const alert = this.alerts.get(fingerprint);
    if (alert?.status === 'firing' && alert.resolveAt !== undefined && alert.resolveAt <= now) {
      alert.status = 'resolved';
      alert.endsAt = new Date(alert.resolveAt).toISOString();
    }
    return alert;
  }

  /** The alerts marked firing (one past its `resolveAt` stays so until {@link current} meets it). */
  firing(): TrackedAlert[] {
    return [...this.alerts.values()].filter((alert) => alert.status === 'firing');
  }

  /** Forgets an alert no group holds any more. */
  forget(fingerprint: string): void {
    this.alerts.delete(fingerprint);
  }
}
