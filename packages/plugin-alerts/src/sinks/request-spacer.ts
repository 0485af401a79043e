import type { Clock } from '@prevention/core';

/**
 * Runs requests one at a time, each starting at least `intervalMs` after the previous one
 * finished. Counting from the end rather than the start keeps the spacing the server sees at
 * or above the interval, whatever the network latency of each request.
 */
export class RequestSpacer {
  private tail: Promise<unknown> = Promise.resolve();
  private earliestStart = 0;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  /** Runs `request` in its turn. */
  run<T>(request: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const turn = this.tail.then(async () => {
      const wait = this.earliestStart - this.clock.now();
      if (wait > 0) await this.clock.sleep(wait, signal);
      try {
        return await request();
      } finally {
        this.earliestStart = Math.max(this.earliestStart, this.clock.now() + this.intervalMs);
      }
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /** Makes every request wait at least `ms` from now (a server's `Retry-After`). */
  holdFor(ms: number): void {
    this.earliestStart = Math.max(this.earliestStart, this.clock.now() + ms);
  }
}
