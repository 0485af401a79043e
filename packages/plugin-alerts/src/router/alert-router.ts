import { ErrorCodes, parseDuration, PreventionError, type Alert, type AlertSink, type Clock, type Duration, type FileSystem, type Logger } from '@prevention/core';
import type { AlertSignal } from '../alert-signal.js';
import { NotificationDelivery } from '../delivery/notification-delivery.js';
import { PendingWrites } from '../delivery/pending-writes.js';
import type { Spool } from '../delivery/spool.js';
import { SpoolRetrier } from '../delivery/spool-retrier.js';
import type { Matcher } from '../matcher.js';
import { AlertGroups, type AlertGroup } from './alert-groups.js';
import { DEFAULT_INHIBIT_RULES, isInhibited, type InhibitRule } from './inhibitor.js';
import type { NotificationEntry } from './notification-log.js';
import { RouteTable, type GroupTiming, type Route } from './route.js';
import { PersistedState } from './persisted-state.js';
import type { Silence } from './silences.js';
import { owesResolvedNotice, sinkNotification } from './sink-notification.js';
import { TrackedAlerts, untracked } from './tracked-alerts.js';

export { DELIVERY_FAILED_ALERT } from '../delivery/delivery-failure-alert.js';

/** A sink as the router sees it. */
export interface RoutedSink {
  sink: AlertSink;
  /** Whether the sink is told when its alerts resolve. */
  sendResolved: boolean;
}

/** Settings of an {@link AlertRouter}. */
export interface AlertRouterOptions extends GroupTiming {
  sinks: RoutedSink[];
  fs: FileSystem;
  /** Stamps alerts and the record, and times grouping windows, retries and send timeouts. */
  clock: Clock;
  logger: Logger;
  /** Where the record of what was sent (and the silences) is kept across restarts. */
  stateFile: string;
  /** Routes, tried in order; alerts no route matches go to every sink. Default: everything to every sink. */
  routes?: Route[];
  /** Default grouping labels. */
  groupBy?: string[];
  /** Default: a corrupt file mutes its own lesser alerts. */
  inhibitRules?: readonly InhibitRule[];
  /** Where undeliverable notifications are kept and retried from (the file sink's spool). */
  spool?: Spool;
  /** Most notifications waiting per sink; more go straight to the spool. Default 1000. */
  queueSize?: number;
  /** How long one delivery may take before it counts as failed. Default 30 s. */
  sendTimeout?: Duration;
  /** How often spooled notifications are retried. Default 1 min. */
  retryInterval?: Duration;
  /** How long `close` waits for queued deliveries before spooling them. Default 3 s, inside the monitor daemon's stop budget. */
  closeTimeout?: Duration;
  /** How long the record of a notification is kept. Default 5 days. */
  retention?: Duration;
}

/**
 * Routes alerts to sinks the way Alertmanager does: alerts are deduplicated by fingerprint,
 * gathered into groups per route and grouping labels, and each group notifies each sink only
 * when its set of alerts changed (after `groupWait`, then at most every `groupInterval`), at
 * once when one of them got more severe, or when `repeatInterval` passed. Silenced and
 * inhibited alerts are not notified. Resolved alerts are notified to sinks with `sendResolved`
 * that were told they fired.
 *
 * `ingest` is synchronous and cheap, so it can run on the engine's event path: delivery
 * happens later, through one bounded queue per sink. What could not be delivered is spooled
 * and retried, and a sink's failure is itself an alert for the other sinks.
 */
export class AlertRouter {
  private readonly alerts = new TrackedAlerts();
  private readonly groups: AlertGroups;
  private readonly sendResolved = new Map<string, boolean>();
  private readonly routes: RouteTable;
  private readonly inhibitRules: readonly InhibitRule[];
  /** The notification each sink of a group is being sent, by group and sink. */
  private readonly inFlight = new Map<string, NotificationEntry>();
  /** Groups and sinks whose turn came while a notification was in flight: they take it once it is handled. */
  private readonly owedTurns = new Set<string>();
  /** State saves and spool writes still running, awaited by `close`. */
  private readonly writes = new PendingWrites();
  private readonly delivery: NotificationDelivery;
  private readonly retrier: SpoolRetrier | undefined;
  private readonly state: PersistedState;
  private readonly clock: Clock;
  private readonly closeTimeoutMs: number;
  private closed = false;

  constructor(options: AlertRouterOptions) {
    const { clock, logger } = options;
    this.clock = clock;
    const retryIntervalMs = parseDuration(options.retryInterval ?? 60_000, 'retryInterval');
    this.closeTimeoutMs = parseDuration(options.closeTimeout ?? 3_000, 'closeTimeout');
    const retentionMs = parseDuration(options.retention ?? '5d', 'retention');
    const sendTimeoutMs = parseDuration(options.sendTimeout ?? 30_000, 'sendTimeout');
    const capacity = options.queueSize ?? 1000;
    if (!Number.isInteger(capacity) || capacity < 1) throw new PreventionError(ErrorCodes.CONFIG_INVALID, `alerts: queueSize must be a whole number of at least 1 (got ${String(capacity)})`);
    for (const { sink, sendResolved } of options.sinks) {
      if (this.sendResolved.has(sink.name)) throw new PreventionError(ErrorCodes.CONFIG_INVALID, `alerts: two sinks are named "${sink.name}"; give each a unique name`);
      this.sendResolved.set(sink.name, sendResolved);
    }
    this.delivery = new NotificationDelivery(
      options.sinks.map(({ sink }) => sink),
      { capacity, sendTimeoutMs, clock, logger, spool: options.spool, writes: this.writes, raise: (signal) => this.ingest(signal) },
    );
    this.routes = new RouteTable(options.routes ?? [], options, [...this.sendResolved.keys()]);
    this.inhibitRules = options.inhibitRules ?? DEFAULT_INHIBIT_RULES;
    this.state = new PersistedState({ fs: options.fs, file: options.stateFile, clock, logger, retentionMs });
    this.groups = new AlertGroups(clock, (group, now) => this.notify(group, now));
    this.retrier = options.spool && new SpoolRetrier(options.spool, this.delivery, { clock, logger, retryIntervalMs, writes: this.writes });
  }

  /**
   * Loads the saved state, sets aside spooled notifications for sinks that are no longer
   * configured, and starts retrying the rest. Call once before `ingest`.
   */
  async start(): Promise<void> {
    await this.state.load();
    await this.retrier?.start();
  }

  /**
   * Takes an alert signal: a new or repeated firing alert, or a resolution. Returns at once;
   * notifications follow on the group's schedule.
   */
  ingest(signal: AlertSignal): void {
    if (this.closed) return;
    const now = this.clock.now();
    const news = this.alerts.take(signal, now, (fingerprint) => this.notifiedFiring(fingerprint));
    if (!news) return;
    for (const route of this.routes.routesOf(news.alert)) this.groups.add(route, news.alert, now, news.urgent);
  }

  /** Raises an alert (a firing signal). */
  raise(signal: Omit<AlertSignal, 'status'>): void {
    this.ingest({ ...signal, status: 'firing' });
  }

  /** Resolves the alert with this name and labels. */
  resolve(name: string, labels: Record<string, string>, summary = `${name} resolved`): void {
    this.ingest({ name, labels, summary, severity: 'info', status: 'resolved' });
  }

  /** Mutes the alerts `matcher` selects for `duration`; returns the silence id. */
  silence(matcher: Matcher, duration: Duration, comment?: string): string {
    const id = this.state.silences.add(matcher, this.clock.now() + parseDuration(duration, 'silence duration'), comment);
    void this.state.save();
    return id;
  }

  /** Ends a silence now; its alerts are notified at their group's next turn. */
  expireSilence(id: string): boolean {
    const expired = this.state.silences.expire(id);
    if (expired) void this.state.save();
    return expired;
  }

  /** The unexpired silences. */
  activeSilences(): Silence[] {
    return this.state.silences.active(this.clock.now());
  }

  /** The alerts currently firing. */
  firing(): Alert[] {
    return this.alerts.firing().map(untracked);
  }

  /**
   * Stops the router: notifies every group's pending changes now, waits (up to `closeTimeout`)
   * for the queues to empty, spools what is left, and saves the state. Does not close the sinks.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    // Closed first: from here on nothing is ingested, not even the delivery failures the last turns raise.
    this.closed = true;
    this.retrier?.stop();
    this.groups.close();
    await this.delivery.close(this.closeTimeoutMs);
    // Spooling and the state file are written by the settle callbacks; let them finish.
    await new Promise((resolve) => setImmediate(resolve));
    await this.writes.settled();
    await this.state.save();
  }

  /** True when some sink was told, or is being told, that the alert fires, and not yet that it resolved. */
  private notifiedFiring(fingerprint: string): boolean {
    if (this.state.log.notifiedFiring(fingerprint)) return true;
    for (const record of this.inFlight.values()) if (record.firing.includes(fingerprint)) return true;
    return false;
  }

  /**
   * A group's turn: decides, per sink (all of the route's unless `sinks` names some), whether
   * the group has something new to say, and queues it.
   */
  private notify(group: AlertGroup, now: number, sinks: readonly string[] = group.route.sinks): boolean {
    const members = [...group.fingerprints].flatMap((fingerprint) => this.alerts.current(fingerprint, now) ?? []);
    const allFiring = this.alerts.firing();
    const firing = members.filter((alert) => alert.status === 'firing' && !this.state.silences.isSilenced(alert, now) && !isInhibited(alert, allFiring, this.inhibitRules));
    const resolved = members.filter((alert) => alert.status === 'resolved');
    let pending = false;
    for (const sink of sinks) {
      const flightKey = `${group.key}\u0000${sink}`;
      if (this.inFlight.has(flightKey)) {
        // What changed since that notification left (an escalation, say) must not wait for
        // the group's next turn, a whole groupInterval away.
        this.owedTurns.add(flightKey);
        pending = true;
        continue;
      }
      const decision = sinkNotification({
        group: group.key,
        sink,
        firing,
        resolved,
        entry: this.state.log.get(group.key, sink),
        sendResolved: this.sendResolved.get(sink) === true,
        now,
        repeatIntervalMs: group.route.repeatIntervalMs,
        takesThisRoute: (alert) => this.routes.routesOf(alert).includes(group.route),
      });
      if (decision.action === 'forget') {
        this.state.log.record(decision.record);
        void this.state.save();
      }
      if (decision.action !== 'send') continue;
      this.inFlight.set(flightKey, decision.record);
      // A lost notification is not recorded, so the group offers it again at its next turn.
      this.delivery.deliver(sink, group.key, decision.alerts, (outcome) => {
        this.inFlight.delete(flightKey);
        const owed = this.owedTurns.delete(flightKey);
        if (outcome === 'lost') return;
        this.state.log.record(decision.record);
        this.writes.track(this.state.save());
        if (owed && !this.closed) this.notify(group, this.clock.now(), [sink]);
      });
    }
    this.forgetNotifiedResolutions(group, resolved);
    return pending;
  }

  /** Drops resolved alerts from the group once no sink still owes a resolved notice. */
  private forgetNotifiedResolutions(group: AlertGroup, resolved: Alert[]): void {
    for (const alert of resolved) {
      if (group.route.sinks.some((sink) => owesResolvedNotice(this.state.log.get(group.key, sink), alert.fingerprint, this.sendResolved.get(sink) === true))) continue;
      group.fingerprints.delete(alert.fingerprint);
      if (!this.groups.holds(alert.fingerprint)) this.alerts.forget(alert.fingerprint);
    }
  }
}
