/** A held cross-process lock on one file. */
export interface LockHandle {
  /** The locked data file. */
  readonly file: string;
  /** Where the lock lives (for messages and health checks). */
  readonly lockPath: string;
  /** Aborted when the lock is lost (taken over as stale, or removed); the commit must stop. */
  readonly signal: AbortSignal;
  /** Set when acquiring removed a lock left by a dead holder. */
  readonly staleRecovered: { ageMs: number } | undefined;
  /** Throws `PREVENTION_LOCK_COMPROMISED` unless the lock is still provably ours. */
  assertHeld(): Promise<void>;
  /** Releases the lock; safe to call twice. */
  release(): Promise<void>;
}

/** How to acquire a lock. */
export interface LockOptions {
  /** Give up with `PREVENTION_LOCK_TIMEOUT` after this long. */
  timeoutMs: number;
  /** A lock not refreshed for this long belongs to a dead or frozen holder and may be taken over. */
  staleMs: number;
  /** Cancels the wait. */
  signal?: AbortSignal;
}

/** What is known about a file's lock without taking it. */
export interface LockState {
  lockPath: string;
  held: boolean;
  /** Milliseconds since the holder last refreshed it. */
  ageMs?: number;
}

/**
 * The cross-process lock port. The default implementation uses proper-lockfile; a store on a
 * distributed engine would use its own primitive (for example advisory locks).
 */
export interface FileLocker {
  acquire(file: string, options: LockOptions): Promise<LockHandle>;
  /** Reports whether `file` is locked and how old the lock is. */
  inspect(file: string): Promise<LockState>;
  /** Removes the lock if it is older than `staleMs`; returns whether it did. */
  removeStale(file: string, staleMs: number): Promise<boolean>;
}
