import type { Pool, PoolClient } from 'pg';
import { ErrorCodes, PreventionError, type LockHandle, type LockOptions } from '@prevention/core';
import { databaseError, isConnectionLoss, sqlState } from './database-errors.js';

/** The backend process id node-postgres learnt at connection (untyped in @types/pg). */
export function backendPid(client: PoolClient): number {
  return (client as unknown as { processID: number }).processID;
}

/** A compromised-lock error for `name`, saying why. */
function compromised(name: string, why: string, cause?: unknown): PreventionError {
  return new PreventionError(ErrorCodes.LOCK_COMPROMISED, `the lock on ${name} is no longer held by this holder (${why}); nothing was changed. Retry the write`, {
    file: name,
    ...(cause === undefined ? {} : { cause }),
    details: { store: 'postgres', why },
  });
}

/**
 * A document's lock: a session-level PostgreSQL advisory lock, held by one connection taken from
 * the pool for as long as the lock is held. PostgreSQL grants it to one session at a time, on
 * every machine using the database, and frees it the moment that session ends: a holder that
 * died (its process, its machine, its network) gives the lock up with its connection, so no
 * stale threshold is needed and `staleRecovered` is never set. The flip side: a frozen holder
 * whose connection stays open keeps the lock until the server or its TCP keepalive closes it.
 *
 * The holding connection is also where the store runs the commit, so a commit can only switch
 * while the session that holds the lock is alive.
 */
export class AdvisoryLock implements LockHandle {
  readonly staleRecovered = undefined;
  readonly lockPath: string;
  private readonly controller = new AbortController();
  private released = false;
  /** Why the connection can no longer be trusted (it errored or ended). */
  private broken: Error | undefined;
  private readonly onError = (err: Error): void => this.lose('its connection failed', err);
  private readonly onEnd = (): void => this.lose('its connection ended');

  private constructor(
    readonly file: string,
    /** The connection holding the lock; the store commits on it. */
    readonly client: PoolClient,
    /** The store that took it: only that store commits on this connection. */
    readonly owner: object,
    private readonly keys: readonly [number, number],
  ) {
    this.lockPath = `postgres:advisory(${keys[0]},${keys[1]})`;
    client.on('error', this.onError);
    client.on('end', this.onEnd);
  }

  /** False once released or once its connection failed: its connection must not be used then. */
  get usable(): boolean {
    return !this.released && !this.broken;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Waits for the lock on a dedicated connection: a blocking `pg_advisory_lock` bounded by
   * `lock_timeout`, so waiters are served in the order the server queues them and a release
   * hands over at once (no polling interval to lose). The caller's `signal` cancels the wait.
   */
  static async acquire(pool: Pool, owner: object, name: string, keys: readonly [number, number], options: LockOptions): Promise<AdvisoryLock> {
    if (options.signal?.aborted) throw options.signal.reason as Error;
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw databaseError('connecting to take the lock', name, err);
    }
    const lock = new AdvisoryLock(name, client, owner, keys);
    const onAbort = (): void => {
      // A cancel request on a separate connection interrupts the wait; the connection is then
      // closed, never returned to the pool with a lock it might still get.
      pool.query('SELECT pg_cancel_backend($1)', [backendPid(client)]).catch(() => undefined);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // lock_timeout is an int of milliseconds (0 would mean: wait forever).
    const timeout = Math.min(2_147_483_647, Math.max(1, Math.ceil(options.timeoutMs)));
    try {
      // Both keys are integers computed here, so the single round trip can be a simple query.
      await client.query(`BEGIN; SET LOCAL lock_timeout = ${timeout}; SELECT pg_advisory_lock(${keys[0]}, ${keys[1]}); COMMIT`);
      if (options.signal?.aborted) throw options.signal.reason as Error;
      return lock;
    } catch (err) {
      const state = sqlState(err);
      await lock.discard(err);
      if (options.signal?.aborted) throw options.signal.reason as Error;
      if (state === '55P03') {
        throw new PreventionError(ErrorCodes.LOCK_TIMEOUT, `timed out after ${options.timeoutMs} ms waiting for the lock on ${name} (held by another process, on this machine or another)`, {
          file: name,
          cause: err,
          details: { store: 'postgres', lockPath: lock.lockPath },
        });
      }
      throw databaseError('taking the lock', name, err);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  async assertHeld(): Promise<void> {
    if (this.released) throw compromised(this.file, 'it was released');
    if (this.broken) throw compromised(this.file, 'its connection failed', this.broken);
    let held: boolean;
    try {
      const result = await this.client.query<{ held: boolean }>(
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid = $1::oid AND objid = $2::oid AND objsubid = 2 AND granted) AS held",
        [String(this.keys[0]), String(this.keys[1])],
      );
      held = result.rows[0]?.held === true;
    } catch (err) {
      // Inside a failed transaction the check itself fails; that says nothing about the lock,
      // but it cannot be proved held either.
      if (isConnectionLoss(err)) this.lose('its connection failed', err as Error);
      throw compromised(this.file, 'it could not be checked', err);
    }
    if (!held) {
      this.lose('the server no longer lists it');
      throw compromised(this.file, 'the server no longer lists it');
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.broken) return this.discard(this.broken);
    try {
      await this.client.query('SELECT pg_advisory_unlock($1, $2)', [...this.keys]);
    } catch (err) {
      // Unlocking failed: close the connection, which frees the lock for certain, rather than
      // pool a session that might still hold it.
      return this.discard(err);
    }
    this.detach();
    this.client.release();
  }

  /** Marks the lock lost and aborts its holder's commit. */
  private lose(why: string, err?: Error): void {
    this.broken ??= err ?? new Error(why);
    if (!this.controller.signal.aborted) this.controller.abort(compromised(this.file, why, err));
  }

  /** Closes the connection (which frees any lock it holds) instead of returning it to the pool. */
  private async discard(err: unknown): Promise<void> {
    this.released = true;
    this.detach();
    // Keep a late 'error' from an already closing socket from becoming an unhandled one.
    this.client.on('error', () => undefined);
    this.client.release(err instanceof Error ? err : true);
  }

  private detach(): void {
    this.client.removeListener('error', this.onError);
    this.client.removeListener('end', this.onEnd);
  }
}
