import { ErrorCodes, PreventionError, type Alert, type AlertSink, type CancelTimer, type Clock } from '@prevention/core';

/** One notification waiting for a sink. */
export interface DeliveryJob {
  group: string;
  alerts: Alert[];
  /** Called once, when the sink delivered it (`error` undefined) or failed or timed out. */
  settle(error: Error | undefined): void;
}

/** Settings of a {@link DeliveryQueue}. */
export interface DeliveryQueueOptions {
  /** Most jobs waiting; `push` refuses more. */
  capacity: number;
  /** How long one `send` may take before it is abandoned as failed. */
  sendTimeoutMs: number;
  /** Times the send timeout and the wait of `drain`. */
  clock: Clock;
}

/**
 * A bounded queue in front of one sink, worked by a single loop so the sink sees one
 * notification at a time. A `send` that hangs is aborted and abandoned after the timeout, so
 * one stuck sink delays only its own queue, never the caller of `push` or the other sinks.
 */
export class DeliveryQueue {
  private readonly jobs: DeliveryJob[] = [];
  private working: Promise<void> | undefined;
  private abandonCurrent: ((error: Error) => void) | undefined;

  constructor(
    readonly sink: AlertSink,
    private readonly options: DeliveryQueueOptions,
  ) {}

  /** Number of jobs waiting or being sent. */
  get size(): number {
    return this.jobs.length + (this.working ? 1 : 0);
  }

  /** Queues a job; returns false, without queueing, when the queue is full. Never waits. */
  push(job: DeliveryJob): boolean {
    if (this.jobs.length >= this.options.capacity) return false;
    this.jobs.push(job);
    this.working ??= this.work().finally(() => {
      this.working = undefined;
    });
    return true;
  }

  /**
   * Waits for the queue to empty, at most `timeoutMs`; then abandons the send in progress
   * (its job settles as failed) and takes back and returns the jobs that were not started.
   */
  async drain(timeoutMs: number): Promise<DeliveryJob[]> {
    if (this.working) {
      // A sleep, not a background timer: the process must stay up until the queue is handed back.
      const waited = new AbortController();
      await Promise.race([this.working, this.options.clock.sleep(timeoutMs, waited.signal).catch(() => undefined)]);
      waited.abort();
    }
    const waiting = this.jobs.splice(0);
    this.abandonCurrent?.(new PreventionError(ErrorCodes.ALERT_DELIVERY_FAILED, `alert sink "${this.sink.name}" was still sending when its queue was closed; the send was abandoned`));
    await this.working;
    return waiting;
  }

  private async work(): Promise<void> {
    for (let job = this.jobs.shift(); job; job = this.jobs.shift()) {
      job.settle(await this.sendOne(job));
    }
  }

  private async sendOne(job: DeliveryJob): Promise<Error | undefined> {
    const controller = new AbortController();
    let cancelTimer: CancelTimer | undefined;
    const abandoned = new Promise<Error>((resolve) => {
      this.abandonCurrent = (error) => {
        controller.abort(error);
        resolve(error);
      };
      cancelTimer = this.options.clock.setTimeout(
        () =>
          this.abandonCurrent?.(
            new PreventionError(ErrorCodes.ALERT_DELIVERY_FAILED, `alert sink "${this.sink.name}" did not finish sending within ${this.options.sendTimeoutMs} ms; the send was abandoned`),
          ),
        this.options.sendTimeoutMs,
      );
    });
    try {
      const sent = Promise.resolve()
        .then(() => this.sink.send(job.alerts, controller.signal))
        .then(
          () => undefined,
          (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
        );
      return await Promise.race([sent, abandoned]);
    } finally {
      cancelTimer?.();
      this.abandonCurrent = undefined;
    }
  }
}
