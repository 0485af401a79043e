/**
 * Writes started in the background (state saves, spool files) that closing must wait for:
 * their callers do not await them, so that delivery never waits on the disk.
 */
export class PendingWrites {
  private readonly writes = new Set<Promise<unknown>>();

  /** Keeps `promise` until it settles. */
  track(promise: Promise<unknown>): void {
    this.writes.add(promise);
    void promise.finally(() => this.writes.delete(promise));
  }

  /** Resolves once every tracked write has settled, those started while waiting included. */
  async settled(): Promise<void> {
    while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
  }
}
