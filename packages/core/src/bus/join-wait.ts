/**
 * When a leader's next commit should start, given the publishers it serves (see
 * {@link JoinWait.next}). Publishers in a loop get their answer and send their next publish
 * while the leader's own next publish would already have started a commit without them; held
 * for, they join it instead, so a round of N publishers costs one commit, not two. PostgreSQL's
 * `commit_delay` makes the same trade, with a fixed delay where this waits only for the
 * publishers it expects, and no longer than the join wait.
 */
export class JoinWait<P> {
  /** When each publisher was last answered (or connected). */
  private readonly answeredAt = new Map<P, number>();
  /** Publishers answered since their last publish, whose next one the next commit waits for. */
  private readonly awaited = new Set<P>();
  /** Publishers that missed a hold and have not come back within the wait since: not held for. */
  private readonly missed = new Set<P>();
  /** What waits for the awaited publishers: resolved once they are all back or the wait is over. */
  private readonly holds = new Set<() => void>();

  constructor(
    private readonly waitMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * A publisher was answered, or has just connected to hand over a publish: its next publish
   * is on its way, unless it missed the last hold it was given.
   */
  answered(publisher: P): void {
    this.answeredAt.set(publisher, this.now());
    if (this.waitMs > 0 && !this.missed.has(publisher)) this.awaited.add(publisher);
  }

  /**
   * A publisher sent a publish. Back within the wait after its answer, it will be held for
   * again even if it missed a hold before (a busy leader reads its socket late): a publisher
   * that takes longer publishes now and then, and holding commits for it only delays them.
   */
  arrived(publisher: P): void {
    const at = this.answeredAt.get(publisher);
    if (at !== undefined && this.now() - at <= this.waitMs) this.missed.delete(publisher);
    this.awaited.delete(publisher);
    this.releaseIfNoneAwaited();
  }

  /** A publisher hung up: nothing more comes from it. */
  gone(publisher: P): void {
    this.answeredAt.delete(publisher);
    this.awaited.delete(publisher);
    this.missed.delete(publisher);
    this.releaseIfNoneAwaited();
  }

  /**
   * `undefined` when the next commit may start at once; else resolves once every awaited
   * publisher has sent its next publish, or the wait since the latest answer is over (those
   * still awaited then missed it).
   */
  next(): Promise<void> | undefined {
    const now = this.now();
    let latest = -Infinity;
    for (const publisher of this.awaited) {
      const at = this.answeredAt.get(publisher)!;
      if (now - at >= this.waitMs) this.miss(publisher);
      else latest = Math.max(latest, at);
    }
    if (this.awaited.size === 0) return undefined;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        for (const publisher of this.awaited) this.miss(publisher);
        this.releaseIfNoneAwaited();
      }, latest + this.waitMs - now);
      const release = () => {
        clearTimeout(timer);
        this.holds.delete(release);
        resolve();
      };
      this.holds.add(release);
    });
  }

  /** Waits for no one any more (the leader stops leading). */
  clear(): void {
    this.awaited.clear();
    this.releaseIfNoneAwaited();
  }

  private miss(publisher: P): void {
    this.awaited.delete(publisher);
    this.missed.add(publisher);
  }

  private releaseIfNoneAwaited(): void {
    if (this.awaited.size > 0) return;
    for (const release of this.holds) release();
  }
}
