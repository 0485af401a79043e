import type { CancelTimer, Clock } from '../contract.js';

interface PendingTimer {
  at: number;
  fn: () => void;
}

/** Lets the event loop turn once, so promise chains a timer started get to run. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A clock that moves only when a test says so. Timers and sleeps fire inside `advance`, in the
 * order they fall due (ties in the order they were set), each seeing `now()` at its due time;
 * a test of a grouping window or a retry interval takes no real time.
 */
export class ManualClock implements Clock {
  private time: number;
  private readonly timers: PendingTimer[] = [];

  /** Starts at `start`, epoch milliseconds. */
  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  /** Resolves when `advance` reaches `ms` from now; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const cancel = this.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        cancel();
        reject(signal!.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  setTimeout(fn: () => void, ms: number): CancelTimer {
    const timer: PendingTimer = { at: this.time + Math.max(0, ms), fn };
    this.timers.push(timer);
    return () => {
      const index = this.timers.indexOf(timer);
      if (index >= 0) this.timers.splice(index, 1);
    };
  }

  /** Timers and sleeps not yet fired or cancelled. */
  get pending(): number {
    return this.timers.length;
  }

  /**
   * Moves time `ms` forward, firing every timer that falls due on the way, including timers
   * those callbacks set. The event loop turns after each one, so a callback's promise chains
   * (a delivery to an in-memory sink, say) settle before the next timer runs.
   */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (let next = this.nextDue(target); next; next = this.nextDue(target)) {
      this.timers.splice(this.timers.indexOf(next), 1);
      this.time = next.at;
      next.fn();
      await turn();
    }
    this.time = target;
    await turn();
  }

  private nextDue(by: number): PendingTimer | undefined {
    let earliest: PendingTimer | undefined;
    for (const timer of this.timers) if (timer.at <= by && (!earliest || timer.at < earliest.at)) earliest = timer;
    return earliest;
  }
}
