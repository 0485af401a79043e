/** Cancels a timer; does nothing once the timer has fired or was already cancelled. */
export type CancelTimer = () => void;

/** Time, injectable so tests can control it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Waits `ms` milliseconds; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `fn` once, `ms` milliseconds from now, unless cancelled first. Meant for background
   * work (grouping windows, retries, watchdogs): the system clock's timers never keep the
   * process alive, so a caller that must wait for something awaits `sleep` instead.
   */
  setTimeout(fn: () => void, ms: number): CancelTimer;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal!.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    // A pending retry or grouping window is no reason for a process to stay up.
    timer.unref();
    return () => clearTimeout(timer);
  },
};
