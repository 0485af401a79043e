import { ErrorCodes, PreventionError, type Alert, type AlertSink, type Clock, type Logger } from '@prevention/core';
import type { AlertSignal } from '../alert-signal.js';
import { DeliveryQueue, type DeliveryJob } from './delivery-queue.js';
import { deliveryFailedSignal, deliveryRecoveredSignal } from './delivery-failure-alert.js';
import type { PendingWrites } from './pending-writes.js';
import type { Spool } from './spool.js';

/**
 * How a notification handed to {@link NotificationDelivery.deliver} ended: delivered, spooled
 * for a later retry, refused for good (all three count as handled), or lost (no spool, or the
 * spool failed).
 */
export type DeliveryOutcome = 'sent' | 'spooled' | 'refused' | 'lost';

/** Settings of a {@link NotificationDelivery}. */
export interface NotificationDeliveryOptions {
  /** Most notifications waiting per sink; more go straight to the spool. */
  capacity: number;
  /** How long one delivery may take before it counts as failed. */
  sendTimeoutMs: number;
  clock: Clock;
  logger: Logger;
  /** Where undeliverable notifications are kept; without one they are lost. */
  spool: Spool | undefined;
  /** Where spool writes are tracked, for `close` to wait on. */
  writes: PendingWrites;
  /** Takes the alert that a sink failed, and its resolution once the sink delivers again. */
  raise(signal: AlertSignal): void;
}

/** True for a failure that retrying can not fix (the sink marks it `details.permanent`). */
export function isPermanent(error: Error): boolean {
  return error instanceof PreventionError && error.details.permanent === true;
}

/**
 * Gets notifications to the sinks: one bounded {@link DeliveryQueue} per sink, the spool for
 * what a sink could not take, and a delivery-failure alert (for the other sinks) while a sink
 * fails.
 */
export class NotificationDelivery {
  private readonly queues = new Map<string, DeliveryQueue>();

  /** `sinks` must have unique names. */
  constructor(
    sinks: readonly AlertSink[],
    private readonly options: NotificationDeliveryOptions,
  ) {
    const { capacity, sendTimeoutMs, clock } = options;
    for (const sink of sinks) this.queues.set(sink.name, new DeliveryQueue(sink, { capacity, sendTimeoutMs, clock }));
  }

  /** True when a sink of this name is configured. */
  has(sinkName: string): boolean {
    return this.queues.has(sinkName);
  }

  /**
   * Queues a notification for a sink; `done` learns how it ended. A lost one is not retried
   * here: the caller offers it again.
   */
  deliver(sinkName: string, group: string, alerts: Alert[], done: (outcome: DeliveryOutcome) => void): void {
    const queue = this.queues.get(sinkName)!;
    const job: DeliveryJob = {
      group,
      alerts,
      settle: (error) => {
        this.report(sinkName, error);
        if (!error) {
          done('sent');
          return;
        }
        // A permanent refusal (a 4xx other than 429) would fail the same way on every retry:
        // it is reported, not spooled, and counts as handled so the group does not resend it.
        if (isPermanent(error)) done('refused');
        else this.options.writes.track(this.toSpool(sinkName, group, alerts).then((spooled) => done(spooled ? 'spooled' : 'lost')));
      },
    };
    if (!queue.push(job)) job.settle(new PreventionError(ErrorCodes.ALERT_DELIVERY_FAILED, `alert sink "${sinkName}" has a full queue (${queue.size} notifications waiting); the notification was spooled`));
  }

  /** Queues a job for a configured sink as it is; false when its queue is full. */
  offer(sinkName: string, job: DeliveryJob): boolean {
    return this.queues.get(sinkName)!.push(job);
  }

  /** Reports how one send to a sink ended (`error` undefined: delivered): logged, and raised or resolved as the sink's delivery-failure alert. */
  report(sinkName: string, error: Error | undefined): void {
    if (!error) {
      this.options.raise(deliveryRecoveredSignal(sinkName));
      return;
    }
    if (isPermanent(error)) this.options.logger.error({ err: error, sink: sinkName }, 'alert delivery failed for good; fix the sink\'s settings');
    else this.options.logger.warn({ err: error, sink: sinkName }, 'alert delivery failed');
    this.options.raise(deliveryFailedSignal(sinkName, error));
  }

  /**
   * Waits (up to `timeoutMs`) for the queues to empty, then settles what is left as failed, so
   * it is spooled. Spooling goes on in the background, tracked in `writes`.
   */
  async close(timeoutMs: number): Promise<void> {
    const leftovers = await Promise.all([...this.queues.values()].map(async (queue) => ({ sink: queue.sink.name, jobs: await queue.drain(timeoutMs) })));
    for (const { sink, jobs } of leftovers) {
      for (const job of jobs) job.settle(new PreventionError(ErrorCodes.ALERT_DELIVERY_FAILED, `alert sink "${sink}" had not sent this notification when the router closed`));
    }
  }

  private async toSpool(sinkName: string, group: string, alerts: Alert[]): Promise<boolean> {
    const { spool, clock, logger } = this.options;
    if (!spool) return false;
    try {
      await spool.add(sinkName, group, alerts, clock.now());
      return true;
    } catch (err) {
      logger.error({ err, sink: sinkName, spool: spool.dir }, 'an undeliverable alert could not be spooled either; it will be notified again at its next group interval');
      return false;
    }
  }
}
