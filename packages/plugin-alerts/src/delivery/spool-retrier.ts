import type { CancelTimer, Clock, Logger } from '@prevention/core';
import { isPermanent, type NotificationDelivery } from './notification-delivery.js';
import type { PendingWrites } from './pending-writes.js';
import type { Spool, SpoolEntry } from './spool.js';

/** Settings of a {@link SpoolRetrier}. */
export interface SpoolRetrierOptions {
  /** Times the retry passes. */
  clock: Clock;
  logger: Logger;
  /** How long from the end of one retry pass to the next. */
  retryIntervalMs: number;
  /** Where removals of delivered entries are tracked, for closing to wait on. */
  writes: PendingWrites;
}

/**
 * Offers spooled notifications to their sinks again, each removed once delivered or refused
 * for good; entries for sinks that are no longer configured are set aside at start.
 */
export class SpoolRetrier {
  /** Ids of the entries offered and not yet settled, so a pass does not offer one twice. */
  private readonly retrying = new Set<string>();
  private cancelRetry: CancelTimer | undefined;
  private stopped = false;

  constructor(
    private readonly spool: Spool,
    private readonly delivery: NotificationDelivery,
    private readonly options: SpoolRetrierOptions,
  ) {}

  /** Sets aside the orphans, then starts the retry passes (the first at once). */
  async start(): Promise<void> {
    await this.setAsideOrphans();
    this.schedule(0);
  }

  /** Starts no further pass and offers nothing more; a pass already reading the spool stops offering. */
  stop(): void {
    this.stopped = true;
    this.cancelRetry?.();
  }

  /** The spooled entries, or undefined (reported) when the spool can not be read. */
  private async spooled(): Promise<SpoolEntry[] | undefined> {
    try {
      return await this.spool.list();
    } catch (err) {
      this.options.logger.error({ err, spool: this.spool.dir }, 'the alert spool could not be read');
      return undefined;
    }
  }

  /**
   * Moves entries for sinks that are not configured (renamed or removed from the config) to
   * the spool's dead-letter directory: nothing would ever deliver them, yet every retry pass
   * would read them again. They are kept, not deleted, since they may be the only record of
   * an alert; one warning per sink says how many and where.
   */
  private async setAsideOrphans(): Promise<void> {
    const { spool, options } = this;
    const orphans = new Map<string, string[]>();
    for (const entry of (await this.spooled()) ?? []) {
      if (!this.delivery.has(entry.sink)) orphans.set(entry.sink, [...(orphans.get(entry.sink) ?? []), entry.id]);
    }
    for (const [sink, ids] of orphans) {
      const results = await Promise.allSettled(ids.map((id) => spool.setAside(id)));
      const moved = results.filter((result) => result.status === 'fulfilled').length;
      const failure = results.find((result) => result.status === 'rejected');
      if (moved > 0) {
        options.logger.warn({ sink, count: moved, deadLetter: spool.deadLetterDir }, `${moved} spooled alert notification(s) for sink "${sink}", which is no longer configured, were moved to the dead-letter directory and will not be retried`);
      }
      if (failure) {
        options.logger.error({ err: failure.reason, sink, count: ids.length - moved, spool: spool.dir }, `spooled alert notifications for sink "${sink}", which is no longer configured, could not be set aside; they stay in the spool, unretried`);
      }
    }
  }

  private schedule(delayMs: number): void {
    this.cancelRetry?.();
    if (this.stopped) return;
    this.cancelRetry = this.options.clock.setTimeout(() => void this.retry().finally(() => this.schedule(this.options.retryIntervalMs)), delayMs);
  }

  /**
   * Offers the oldest spooled notification of each sink to it again. Only one per sink per
   * pass: a sink that is still down fails once per retry interval, not once per entry, and
   * one that delivers gets the next entry straight away.
   */
  private async retry(): Promise<void> {
    const entries = await this.spooled();
    if (!entries) return;
    const offered = new Set<string>();
    for (const entry of entries) {
      if (!this.delivery.has(entry.sink) || offered.has(entry.sink) || this.stopped) continue;
      offered.add(entry.sink);
      if (this.retrying.has(entry.id)) continue;
      this.retrying.add(entry.id);
      const accepted = this.delivery.offer(entry.sink, {
        group: entry.group,
        alerts: entry.alerts,
        settle: (error) => {
          this.delivery.report(entry.sink, error);
          if (error && !isPermanent(error)) {
            this.retrying.delete(entry.id);
            return;
          }
          this.options.writes.track(
            this.spool
              .remove(entry.id)
              .catch((err: unknown) => this.options.logger.error({ err, spool: this.spool.dir }, 'a delivered alert could not be removed from the spool; it may be sent twice'))
              .finally(() => {
                this.retrying.delete(entry.id);
                if (!error) this.schedule(0);
              }),
          );
        },
      });
      if (!accepted) this.retrying.delete(entry.id);
    }
  }
}
