import type { Clock } from '@prevention/core';

/**
 * Spaces calls at least `intervalMs` apart. Each caller reserves the next free slot before
 * waiting, so concurrent callers queue up in order rather than all waking at once.
 */
export class RateLimiter {
  private nextFreeAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  /** Waits for this caller's slot. */
  async take(signal?: AbortSignal): Promise<void> {
    const now = this.clock.now();
    const slot = Math.max(now, this.nextFreeAt);
    this.nextFreeAt = slot + this.intervalMs;
    if (slot > now) await this.clock.sleep(slot - now, signal);
  }

  /** Keeps every caller waiting at least `ms` from now (for a server's `Retry-After`). */
  holdFor(ms: number): void {
    this.nextFreeAt = Math.max(this.nextFreeAt, this.clock.now() + ms);
  }
}
