import { ErrorCodes, PreventionError, type Alert, type AlertSink, type CancelTimer, type Clock, type FileSystem, type Logger } from '@prevention/core';
import type { AlertSignal } from '../alert-signal.js';
import { DeliveryQueue, type DeliveryJob } from '../delivery/delivery-queue.js';
import type { Spool, SpoolEntry } from '../delivery/spool.js';
import { parseDuration, type Duration } from '@prevention/core';
import { fingerprintOf } from '../fingerprint.js';
import type { Matcher } from '../matcher.js';
import { DEFAULT_INHIBIT_RULES, isInhibited, type InhibitRule } from './inhibitor.js';
import { NotificationLog, type NotificationEntry } from './notification-log.js';
import { groupLabelsOf, resolveRoute, routesFor, type GroupTiming, type ResolvedRoute, type Route } from './route.js';
import { RouterStateFile } from './router-state.js';
import { Silences, type Silence } from './silences.js';
import { outranks } from '../severity.js';

/** Name of the alert raised when a sink fails to deliver; it goes to the other sinks. */
export const DELIVERY_FAILED_ALERT = 'alert-delivery-failed';

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

/** True for a failure that retrying can not fix (the sink marks it `details.permanent`). */
function isPermanent(error: Error): boolean {
  return error instanceof PreventionError && error.details.permanent === true;
}

/** An alert as the router holds it: with the time an occurrence resolves by itself. */
type TrackedAlert = Alert & { resolveAt?: number };

interface AlertGroup {
  key: string;
  route: ResolvedRoute;
  fingerprints: Set<string>;
  cancelTimer: CancelTimer | undefined;
  flushedAt: number | undefined;
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
  private readonly alerts = new Map<string, TrackedAlert>();
  private readonly groups = new Map<string, AlertGroup>();
  private readonly queues = new Map<string, DeliveryQueue>();
  private readonly sendResolved = new Map<string, boolean>();
  private readonly routes: ResolvedRoute[];
  private readonly fallbackRoute: ResolvedRoute;
  private readonly inhibitRules: readonly InhibitRule[];
  private readonly inFlight = new Set<string>();
  /** State saves and spool writes still running, awaited by `close`. */
  private readonly writes = new Set<Promise<unknown>>();
  private readonly retrying = new Set<string>();
  private readonly state: RouterStateFile;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly spool: Spool | undefined;
  private readonly retryIntervalMs: number;
  private readonly closeTimeoutMs: number;
  private readonly retentionMs: number;
  private log = new NotificationLog();
  private silences = new Silences();
  private cancelRetry: CancelTimer | undefined;
  private closed = false;

  constructor(options: AlertRouterOptions) {
    this.clock = options.clock;
    this.logger = options.logger;
    this.spool = options.spool;
    this.retryIntervalMs = parseDuration(options.retryInterval ?? 60_000, 'retryInterval');
    this.closeTimeoutMs = parseDuration(options.closeTimeout ?? 3_000, 'closeTimeout');
    this.retentionMs = parseDuration(options.retention ?? '5d', 'retention');
    const sendTimeoutMs = parseDuration(options.sendTimeout ?? 30_000, 'sendTimeout');
    const capacity = options.queueSize ?? 1000;
    if (!Number.isInteger(capacity) || capacity < 1) throw new PreventionError(ErrorCodes.CONFIG_INVALID, `alerts: queueSize must be a whole number of at least 1 (got ${String(capacity)})`);
    for (const { sink, sendResolved } of options.sinks) {
      if (this.queues.has(sink.name)) throw new PreventionError(ErrorCodes.CONFIG_INVALID, `alerts: two sinks are named "${sink.name}"; give each a unique name`);
      this.queues.set(sink.name, new DeliveryQueue(sink, { capacity, sendTimeoutMs, clock: this.clock }));
      this.sendResolved.set(sink.name, sendResolved);
    }
    const names = [...this.queues.keys()];
    this.routes = (options.routes ?? []).map((route, index) => resolveRoute(route, index, options, names));
    for (const route of this.routes) {
      const unknown = route.sinks.find((name) => !this.queues.has(name));
      if (unknown) throw new PreventionError(ErrorCodes.CONFIG_INVALID, `alerts: ${route.id} sends to sink "${unknown}", which is not configured (sinks: ${names.join(', ')})`);
    }
    this.fallbackRoute = { ...resolveRoute({}, this.routes.length, options, names), id: 'default' };
    this.inhibitRules = options.inhibitRules ?? DEFAULT_INHIBIT_RULES;
    this.state = new RouterStateFile(
      options.fs,
      options.stateFile,
      () => {
        const now = this.clock.now();
        this.log.prune(now, this.retentionMs);
        return { version: 1, notifications: this.log.toJSON(), silences: this.silences.active(now) };
      },
      (err) => this.logger.error({ err, file: options.stateFile }, 'alert router state could not be read or saved; notifications may repeat after a restart'),
    );
  }

  /**
   * Loads the saved state, sets aside spooled notifications for sinks that are no longer
   * configured, and starts retrying the rest. Call once before `ingest`.
   */
  async start(): Promise<void> {
    const saved = await this.state.load();
    if (saved) {
      this.log = new NotificationLog(saved.notifications);
      this.silences = new Silences(saved.silences);
    }
    if (this.spool) {
      await this.setAsideOrphans(this.spool);
      this.scheduleRetry(0);
    }
  }

  /**
   * Takes an alert signal: a new or repeated firing alert, or a resolution. Returns at once;
   * notifications follow on the group's schedule.
   */
  ingest(signal: AlertSignal): void {
    if (this.closed) return;
    const now = this.clock.now();
    const fingerprint = fingerprintOf(signal.name, signal.labels);
    const existing = this.alerts.get(fingerprint);
    let alert: TrackedAlert;
    let escalated = false;
    if ((signal.status ?? 'firing') === 'firing') {
      const wasFiring = existing?.status === 'firing';
      // While an alert fires, its severity only rises: a repeat at a lower one refreshes it
      // without taking back what the sinks were told.
      const severity = wasFiring && outranks(existing.severity, signal.severity) ? existing.severity : signal.severity;
      alert = {
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
      if (wasFiring && existing.severity === severity) {
        this.alerts.set(fingerprint, alert);
        return;
      }
      escalated = wasFiring;
    } else {
      // Resolving an alert this process never saw still matters after a restart, when a sink
      // was told it fired: the record says so, and the resolved notice is owed.
      if (existing ? existing.status === 'resolved' : !this.log.notifiedFiring(fingerprint)) return;
      alert = {
        ...(existing ?? { name: signal.name, severity: signal.severity, labels: { ...signal.labels }, details: signal.details ?? {}, startsAt: new Date(now).toISOString(), fingerprint }),
        summary: signal.summary,
        status: 'resolved',
        endsAt: new Date(now).toISOString(),
      };
    }
    this.alerts.set(fingerprint, alert);
    // A sink told of a lesser problem must not wait a group interval to hear it got worse.
    const urgent = escalated && this.log.notifiedFiring(fingerprint);
    for (const route of this.routesOf(alert)) this.addToGroup(route, alert, now, urgent);
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
    const id = this.silences.add(matcher, this.clock.now() + parseDuration(duration, 'silence duration'), comment);
    void this.state.save();
    return id;
  }

  /** Ends a silence now; its alerts are notified at their group's next turn. */
  expireSilence(id: string): boolean {
    const expired = this.silences.expire(id);
    if (expired) void this.state.save();
    return expired;
  }

  /** The unexpired silences. */
  activeSilences(): Silence[] {
    return this.silences.active(this.clock.now());
  }

  /** The alerts currently firing. */
  firing(): Alert[] {
    return [...this.alerts.values()].filter((alert) => alert.status === 'firing').map(({ resolveAt: _, ...alert }) => alert);
  }

  /**
   * Stops the router: notifies every group's pending changes now, waits (up to `closeTimeout`)
   * for the queues to empty, spools what is left, and saves the state. Does not close the sinks.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    // Closed first, so the last flush of each group schedules no further turn.
    this.closed = true;
    this.cancelRetry?.();
    for (const group of this.groups.values()) {
      group.cancelTimer?.();
      this.flush(group);
    }
    const leftovers = await Promise.all([...this.queues.values()].map(async (queue) => ({ sink: queue.sink.name, jobs: await queue.drain(this.closeTimeoutMs) })));
    for (const { sink, jobs } of leftovers) {
      for (const job of jobs) job.settle(new PreventionError(ErrorCodes.ALERT_DELIVERY_FAILED, `alert sink "${sink}" had not sent this notification when the router closed`));
    }
    // Spooling and the state file are written by the settle callbacks; let them finish.
    await new Promise((resolve) => setImmediate(resolve));
    await this.pendingWrites();
    await this.state.save();
  }

  private track(promise: Promise<unknown>): void {
    this.writes.add(promise);
    void promise.finally(() => this.writes.delete(promise));
  }

  private async pendingWrites(): Promise<void> {
    while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
  }

  private routesOf(alert: Alert): ResolvedRoute[] {
    const taken = routesFor(alert, this.routes);
    return taken.length > 0 ? taken : [this.fallbackRoute];
  }

  /** Adds the alert to its group for `route`; an `urgent` one makes the group notify now. */
  private addToGroup(route: ResolvedRoute, alert: Alert, now: number, urgent: boolean): void {
    const key = `${route.id}:${JSON.stringify(groupLabelsOf(route, alert))}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { key, route, fingerprints: new Set(), cancelTimer: undefined, flushedAt: undefined };
      this.groups.set(key, group);
    }
    group.fingerprints.add(alert.fingerprint);
    if (urgent) {
      group.cancelTimer?.();
      this.flush(group);
    } else if (!group.cancelTimer) {
      this.schedule(group, group.flushedAt === undefined ? route.groupWaitMs : Math.max(0, group.flushedAt + route.groupIntervalMs - now));
    }
  }

  private schedule(group: AlertGroup, delayMs: number): void {
    group.cancelTimer?.();
    group.cancelTimer = this.clock.setTimeout(() => {
      group.cancelTimer = undefined;
      this.flush(group);
    }, delayMs);
  }

  /** Decides, per sink, whether this group has something new to say, and queues it. */
  private flush(group: AlertGroup): void {
    const now = this.clock.now();
    group.flushedAt = now;
    const members: TrackedAlert[] = [];
    for (const fingerprint of group.fingerprints) {
      const alert = this.alerts.get(fingerprint);
      if (!alert) continue;
      if (alert.status === 'firing' && alert.resolveAt !== undefined && alert.resolveAt <= now) {
        alert.status = 'resolved';
        alert.endsAt = new Date(alert.resolveAt).toISOString();
      }
      members.push(alert);
    }
    const allFiring = [...this.alerts.values()].filter((alert) => alert.status === 'firing');
    const firing = members.filter((alert) => alert.status === 'firing' && !this.silences.isSilenced(alert, now) && !isInhibited(alert, allFiring, this.inhibitRules));
    const resolved = members.filter((alert) => alert.status === 'resolved');
    // An alert that got worse is news again, but only in the groups its new severity routes
    // it to: a route it left is not told twice.
    const worse = (alert: Alert, entry: NotificationEntry | undefined): boolean =>
      entry !== undefined && outranks(alert.severity, entry.severities[alert.fingerprint] ?? alert.severity) && this.routesOf(alert).includes(group.route);
    let pending = false;
    for (const sinkName of group.route.sinks) {
      const flightKey = `${group.key}\u0000${sinkName}`;
      if (this.inFlight.has(flightKey)) {
        pending = true;
        continue;
      }
      // A sink is never told about its own delivery failures: it would fail on them too.
      const ownFailure = (alert: Alert): boolean => alert.name === DELIVERY_FAILED_ALERT && alert.labels.sink === sinkName;
      const entry = this.log.get(group.key, sinkName);
      const sinkFiring = firing.filter((alert) => !ownFailure(alert));
      const sinkResolved = this.sendResolved.get(sinkName) ? resolved.filter((alert) => entry?.firing.includes(alert.fingerprint) && !ownFailure(alert)) : [];
      const news = sinkFiring.some((alert) => !entry?.firing.includes(alert.fingerprint) || worse(alert, entry));
      const newlyResolved = sinkResolved.some((alert) => !entry?.resolved.includes(alert.fingerprint));
      const repeat = sinkFiring.length > 0 && entry !== undefined && now - entry.sentAt >= group.route.repeatIntervalMs;
      if (!news && !newlyResolved && !repeat) {
        // Everything this sink was told about has ended (silently, for a sink without
        // sendResolved): forget it, so the same alert firing again is news.
        if (sinkFiring.length === 0 && entry && entry.firing.length > 0) {
          this.log.record({ ...entry, firing: [], severities: {} });
          void this.state.save();
        }
        continue;
      }
      const record: NotificationEntry = {
        group: group.key,
        sink: sinkName,
        firing: sinkFiring.map((a) => a.fingerprint),
        severities: Object.fromEntries(sinkFiring.map((a) => [a.fingerprint, a.severity])),
        resolved: sinkResolved.map((a) => a.fingerprint),
        sentAt: now,
      };
      this.inFlight.add(flightKey);
      const alerts = [...sinkFiring, ...sinkResolved].map(({ resolveAt: _, ...alert }) => structuredClone(alert));
      this.deliver(sinkName, group.key, alerts, (outcome) => {
        this.inFlight.delete(flightKey);
        if (outcome !== 'lost') {
          this.log.record(record);
          this.track(this.state.save());
        }
      });
    }
    this.forgetNotifiedResolutions(group, resolved);
    if (group.fingerprints.size === 0 && !pending) {
      group.cancelTimer?.();
      this.groups.delete(group.key);
    } else if (!this.closed) {
      this.schedule(group, group.route.groupIntervalMs);
    }
  }

  /** Drops resolved alerts from the group once no sink still owes a resolved notice. */
  private forgetNotifiedResolutions(group: AlertGroup, resolved: Alert[]): void {
    for (const alert of resolved) {
      const owed = group.route.sinks.some((sink) => {
        const entry = this.log.get(group.key, sink);
        return this.sendResolved.get(sink) && entry?.firing.includes(alert.fingerprint) && !entry.resolved.includes(alert.fingerprint);
      });
      if (owed) continue;
      group.fingerprints.delete(alert.fingerprint);
      if (![...this.groups.values()].some((other) => other.fingerprints.has(alert.fingerprint))) this.alerts.delete(alert.fingerprint);
    }
  }

  /**
   * Queues a notification for a sink. `done` learns whether it was delivered, spooled for a
   * later retry, refused for good (all three count as handled), or lost (no spool, or the
   * spool failed), in which case the group offers it again at its next turn.
   */
  private deliver(sinkName: string, group: string, alerts: Alert[], done: (outcome: 'sent' | 'spooled' | 'refused' | 'lost') => void): void {
    const queue = this.queues.get(sinkName)!;
    const job: DeliveryJob = {
      group,
      alerts,
      settle: (error) => {
        if (!error) {
          this.deliveryRecovered(sinkName);
          done('sent');
          return;
        }
        this.deliveryFailed(sinkName, error);
        // A permanent refusal (a 4xx other than 429) would fail the same way on every retry:
        // it is reported, not spooled, and counts as handled so the group does not resend it.
        if (isPermanent(error)) done('refused');
        else this.track(this.toSpool(sinkName, group, alerts).then((spooled) => done(spooled ? 'spooled' : 'lost')));
      },
    };
    if (!queue.push(job)) job.settle(new PreventionError(ErrorCodes.ALERT_DELIVERY_FAILED, `alert sink "${sinkName}" has a full queue (${queue.size} notifications waiting); the notification was spooled`));
  }

  private async toSpool(sinkName: string, group: string, alerts: Alert[]): Promise<boolean> {
    if (!this.spool) return false;
    try {
      await this.spool.add(sinkName, group, alerts, this.clock.now());
      return true;
    } catch (err) {
      this.logger.error({ err, sink: sinkName, spool: this.spool.dir }, 'an undeliverable alert could not be spooled either; it will be notified again at its next group interval');
      return false;
    }
  }

  private deliveryFailed(sinkName: string, error: Error): void {
    if (isPermanent(error)) this.logger.error({ err: error, sink: sinkName }, 'alert delivery failed for good; fix the sink\'s settings');
    else this.logger.warn({ err: error, sink: sinkName }, 'alert delivery failed');
    this.ingest({
      name: DELIVERY_FAILED_ALERT,
      severity: 'warning',
      labels: { sink: sinkName },
      summary: `alerts could not be delivered to sink "${sinkName}"; they are spooled and retried`,
      details: { error: error.message, ...(error instanceof PreventionError ? { code: error.code } : {}) },
    });
  }

  private deliveryRecovered(sinkName: string): void {
    this.ingest({ name: DELIVERY_FAILED_ALERT, severity: 'warning', labels: { sink: sinkName }, summary: `sink "${sinkName}" delivers again`, status: 'resolved' });
  }

  /** The spooled entries, or undefined (reported) when the spool can not be read. */
  private async spooled(spool: Spool): Promise<SpoolEntry[] | undefined> {
    try {
      return await spool.list();
    } catch (err) {
      this.logger.error({ err, spool: spool.dir }, 'the alert spool could not be read');
      return undefined;
    }
  }

  /**
   * Moves entries for sinks this router does not have (renamed or removed from the config) to
   * the spool's dead-letter directory: nothing would ever deliver them, yet every retry pass
   * would read them again. They are kept, not deleted, since they may be the only record of
   * an alert; one warning per sink says how many and where.
   */
  private async setAsideOrphans(spool: Spool): Promise<void> {
    const orphans = new Map<string, string[]>();
    for (const entry of (await this.spooled(spool)) ?? []) {
      if (!this.queues.has(entry.sink)) orphans.set(entry.sink, [...(orphans.get(entry.sink) ?? []), entry.id]);
    }
    for (const [sink, ids] of orphans) {
      const results = await Promise.allSettled(ids.map((id) => spool.setAside(id)));
      const moved = results.filter((result) => result.status === 'fulfilled').length;
      const failure = results.find((result) => result.status === 'rejected');
      if (moved > 0) {
        this.logger.warn({ sink, count: moved, deadLetter: spool.deadLetterDir }, `${moved} spooled alert notification(s) for sink "${sink}", which is no longer configured, were moved to the dead-letter directory and will not be retried`);
      }
      if (failure) {
        this.logger.error({ err: failure.reason, sink, count: ids.length - moved, spool: spool.dir }, `spooled alert notifications for sink "${sink}", which is no longer configured, could not be set aside; they stay in the spool, unretried`);
      }
    }
  }

  private scheduleRetry(delayMs: number): void {
    this.cancelRetry?.();
    if (this.closed) return;
    this.cancelRetry = this.clock.setTimeout(() => void this.retrySpool().finally(() => this.scheduleRetry(this.retryIntervalMs)), delayMs);
  }

  /**
   * Offers the oldest spooled notification of each sink to it again. Only one per sink per
   * pass: a sink that is still down fails once per retry interval, not once per entry, and
   * one that delivers gets the next entry straight away.
   */
  private async retrySpool(): Promise<void> {
    const entries = await this.spooled(this.spool!);
    if (!entries) return;
    const offered = new Set<string>();
    for (const entry of entries) {
      const queue = this.queues.get(entry.sink);
      if (!queue || offered.has(entry.sink) || this.closed) continue;
      offered.add(entry.sink);
      if (this.retrying.has(entry.id)) continue;
      this.retrying.add(entry.id);
      const accepted = queue.push({
        group: entry.group,
        alerts: entry.alerts,
        settle: (error) => {
          if (error) {
            this.deliveryFailed(entry.sink, error);
            if (!isPermanent(error)) {
              this.retrying.delete(entry.id);
              return;
            }
          } else {
            this.deliveryRecovered(entry.sink);
          }
          this.track(
            this.spool!.remove(entry.id)
              .catch((err: unknown) => this.logger.error({ err, spool: this.spool!.dir }, 'a delivered alert could not be removed from the spool; it may be sent twice'))
              .finally(() => {
                this.retrying.delete(entry.id);
                if (!error) this.scheduleRetry(0);
              }),
          );
        },
      });
      if (!accepted) this.retrying.delete(entry.id);
    }
  }
}
