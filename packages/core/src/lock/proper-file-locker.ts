import { createRequire } from 'node:module';
import path from 'node:path';
import type lockfileModule from 'proper-lockfile';
import { lockPathOf } from '../store/file-layout.js';
import type { Clock, FileStats, FileSystem, FileLocker, LockHandle, LockOptions, LockState } from '../contract.js';
import { ErrorCodes, ioError, PreventionError, systemErrorCode } from '../errors.js';

type Callback<T = void> = (err: NodeJS.ErrnoException | null, value?: T) => void;

/** What this process knows about one lock directory. */
interface LockTrace {
  /** mkdir succeeded and the mtime that proper-lockfile probes next is ours. */
  createdPending: boolean;
  /** Probing the lock we had just made found nothing: a contender removed it. */
  ownLockVanished: boolean;
  /** The mtime we last set on the lock: with its identity, the proof that it is still ours. */
  ownMtimeMs: number | undefined;
  /**
   * The {@link lockIdentity} of the lock directory we made. A contender that took our lock over
   * may carry our mtime (our refresh stats the lock, it is replaced, then our utimes lands on the
   * new one), so the mtime alone cannot tell our lock from its successor.
   */
  ownId: string | undefined;
  /** The mtime last seen on someone else's lock, to report a stale takeover's age. */
  seenMtimeMs: number | undefined;
  /** The identity of that lock: a lock judged stale is removed only if it is still that one. */
  seenId: string | undefined;
  acquiring: boolean;
  staleAgeMs: number | undefined;
  /** The stale threshold of this acquire. */
  staleMs: number;
}


// Loaded with the package, not on the first lock: proper-lockfile's signal-exit adds SIGTERM and
// SIGINT listeners when it loads, and one added after an application's `process.once('SIGTERM')`
// re-raises the signal once that listener has run, killing the process in its graceful stop.
// Required rather than imported, which spares Node's scan of a CommonJS module's exports.
const lockfile = createRequire(import.meta.url)('proper-lockfile') as typeof lockfileModule;



/**
 * The lock's mtime in whole milliseconds, rounded to the nearest. utimes() passes the time as
 * float seconds, so a refresh to T ms is often stored as T ms less a few nanoseconds: truncating
 * would read back T - 1 and take this holder's own refresh for a takeover.
 */
function lockMtimeMs(stats: FileStats): number {
  return Math.round(Number(stats.mtimeNs / 1000n) / 1000);
}

/**
 * Which directory a lock is: its inode and creation time. The inode alone is not enough, since
 * ext4 hands a removed directory's inode straight to the next mkdir; a successor is made at least
 * the stale threshold after the lock it replaced, so the two never share a creation time. (Where
 * the file system records none, birthtime reads 0 and the inode and mtime are what is left.)
 */
function lockIdentity(stats: FileStats): string {
  return `${stats.ino}:${stats.birthtimeNs}`;
}

/** True when `stats` are those of the lock directory this trace made and last refreshed. */
function isOwnLock(trace: LockTrace, stats: FileStats): boolean {
  return lockIdentity(stats) === trace.ownId && lockMtimeMs(stats) === trace.ownMtimeMs;
}

/**
 * What may stand at a lock's path: prevention's lock directory, or the regular file the first
 * Python bus locks (it opens `<file>.lock`, flocks it, and deletes it on unlock). A file there is
 * a held lock like a directory: waited for, and taken over once older than the stale threshold
 * (an agent killed while holding it leaves it behind). Anything else (a symbolic link) is no lock.
 */
function isLockEntry(stats: FileStats): boolean {
  return stats.isDirectory() || stats.isFile();
}

async function removeLockEntry(fs: FileSystem, lockPath: string, stats: FileStats): Promise<void> {
  await (stats.isDirectory() ? fs.rmdir(lockPath) : fs.unlink(lockPath));
}

/** Waits before retrying a held lock: short and randomized, so contenders do not march in step. */
function retryDelayMs(): number {
  return 2 + Math.floor(Math.random() * 18);
}

/**
 * Wakes a contender as soon as the lock's entry changes (the holder removing it, say)
 * instead of only after its retry delay: the delay stays as the fallback, for file systems that
 * cannot be watched and for changes a watch does not report (another machine's, on NFS).
 */
class LockWatch {
  private stop: (() => void) | undefined;
  private wake: (() => void) | undefined;
  private unwatchable = false;

  constructor(
    private readonly fs: FileSystem,
    private readonly lockPath: string,
  ) {}

  /** Resolves after `ms`, or earlier at a change in the directory. */
  async wait(clock: Clock, ms: number): Promise<void> {
    if (!this.stop && !this.unwatchable) {
      try {
        const name = path.basename(this.lockPath);
        // Only the lock's own entry: the holder's temp files and renames would wake every
        // contender several times per commit, each to find the lock still held.
        this.stop = this.fs.watchDirectory(path.dirname(this.lockPath), (changed) => {
          if (changed === undefined || changed === name) this.wake?.();
        });
      } catch {
        this.unwatchable = true;
      }
    }
    const early = new AbortController();
    const changed = new Promise<void>((resolve) => (this.wake = resolve));
    await Promise.race([changed, clock.sleep(ms, early.signal).catch(() => undefined)]);
    this.wake = undefined;
    early.abort();
  }

  close(): void {
    this.stop?.();
  }
}

/**
 * The default {@link FileLocker}: proper-lockfile (an atomic `mkdir` lock refreshed while held,
 * taken over when stale), with every call it makes routed through the FileSystem port. Watching
 * those calls is how this class proves ownership before a rename and reports stale takeovers,
 * which proper-lockfile alone does not expose.
 */
export class ProperFileLocker implements FileLocker {
  private readonly traces = new Map<string, LockTrace>();
  private readonly lockFs: object;

  constructor(
    private readonly fs: FileSystem,
    private readonly clock: Clock,
  ) {
    this.lockFs = this.createLockFs();
  }

  async acquire(file: string, options: LockOptions): Promise<LockHandle> {
    const lockPath = lockPathOf(file);
    const deadline = this.clock.now() + options.timeoutMs;
    const trace: LockTrace = { createdPending: false, ownLockVanished: false, ownMtimeMs: undefined, ownId: undefined, seenMtimeMs: undefined, seenId: undefined, acquiring: true, staleAgeMs: undefined, staleMs: options.staleMs };
    this.traces.set(lockPath, trace);
    const controller = new AbortController();
    const freed = new LockWatch(this.fs, lockPath);
    try {
      return await this.acquireLoop(file, lockPath, deadline, trace, controller, options, freed);
    } finally {
      freed.close();
    }
  }

  private async acquireLoop(file: string, lockPath: string, deadline: number, trace: LockTrace, controller: AbortController, options: LockOptions, freed: LockWatch): Promise<LockHandle> {
    for (;;) {
      if (options.signal?.aborted) {
        this.traces.delete(lockPath);
        throw new PreventionError(ErrorCodes.ABORTED, `waiting for the lock on ${file} was aborted`, { file, cause: options.signal.reason });
      }
      try {
        const release = await lockfile.lock(file, {
          stale: options.staleMs,
          update: Math.max(1000, Math.floor(options.staleMs / 4)),
          realpath: false,
          retries: 0,
          lockfilePath: lockPath,
          fs: this.lockFs,
          onCompromised: (cause: Error) =>
            controller.abort(
              new PreventionError(
                ErrorCodes.LOCK_COMPROMISED,
                `the lock on ${file} was lost while held (${cause.message}); the commit was refused and the file left unchanged`,
                { file, cause },
              ),
            ),
        });
        trace.acquiring = false;
        return this.handle(file, lockPath, trace, controller, release);
      } catch (err) {
        // ENOENT right after our mkdir: a contender that had judged an older lock stale removed
        // the one we had just made. Nobody holds it through us, so this is a plain retry.
        const vanished = trace.ownLockVanished;
        trace.createdPending = false;
        trace.ownLockVanished = false;
        // A stale lock this attempt removed stays ours to report (at the acquisition that
        // succeeds), even if another contender won the mkdir: only the remover knows its age, and
        // exactly one contender removes it.
        if (systemErrorCode(err) !== 'ELOCKED' && !vanished) {
          this.traces.delete(lockPath);
          throw ioError('taking the lock', file, err);
        }
        if (this.clock.now() >= deadline) {
          this.traces.delete(lockPath);
          throw new PreventionError(
            ErrorCodes.LOCK_TIMEOUT,
            `could not lock ${file} within ${options.timeoutMs} ms: another process holds ${lockPath}. ` +
              'Retry later; a lock left by a dead process is taken over once it is older than the stale threshold',
            { file, cause: err, details: { lockPath, timeoutMs: options.timeoutMs } },
          );
        }
        await freed.wait(this.clock, retryDelayMs());
      }
    }
  }

  async inspect(file: string): Promise<LockState> {
    const lockPath = lockPathOf(file);
    try {
      const stats = await this.fs.lstat(lockPath);
      return { lockPath, held: true, ageMs: this.clock.now() - stats.mtimeMs };
    } catch (err) {
      if (systemErrorCode(err) === 'ENOENT') return { lockPath, held: false };
      throw ioError('inspecting the lock', file, err);
    }
  }

  async removeStale(file: string, staleMs: number): Promise<boolean> {
    const state = await this.inspect(file);
    if (!state.held || state.ageMs === undefined || state.ageMs <= staleMs) return false;
    try {
      const stats = await this.fs.lstat(state.lockPath);
      if (!isLockEntry(stats)) throw Object.assign(new Error(`${state.lockPath} is neither a lock directory nor a lock file`), { code: 'ENOTDIR' });
      await removeLockEntry(this.fs, state.lockPath, stats);
      return true;
    } catch (err) {
      if (systemErrorCode(err) === 'ENOENT') return false;
      throw ioError('removing a stale lock', file, err);
    }
  }

  private handle(
    file: string,
    lockPath: string,
    trace: LockTrace,
    controller: AbortController,
    release: () => Promise<void>,
  ): LockHandle {
    let released = false;
    return {
      file,
      lockPath,
      signal: controller.signal,
      staleRecovered: trace.staleAgeMs === undefined ? undefined : { ageMs: trace.staleAgeMs },
      assertHeld: async () => {
        if (controller.signal.aborted) throw controller.signal.reason as PreventionError;
        let stats: FileStats | undefined;
        try {
          stats = await this.fs.lstat(lockPath);
        } catch (err) {
          if (systemErrorCode(err) !== 'ENOENT') throw ioError('checking the lock', file, err);
        }
        // Someone who found our lock stale (we were frozen or starved) replaced it.
        if (stats === undefined || !isOwnLock(trace, stats)) {
          const error = new PreventionError(
            ErrorCodes.LOCK_COMPROMISED,
            `the lock on ${file} is no longer held by this process (it was taken over as stale); ` +
              'the commit was refused and the file left unchanged',
            { file, details: { lockPath } },
          );
          controller.abort(error);
          throw error;
        }
      },
      release: async () => {
        if (released) return;
        released = true;
        try {
          // A lost lock belongs to whoever took it over: removing it would let a third process in.
          if (controller.signal.aborted) return;
          await release();
        } catch (err) {
          // A compromised lock is already gone: there is nothing left to release.
          if (systemErrorCode(err) !== 'ERELEASED' && systemErrorCode(err) !== 'ENOTACQUIRED') throw ioError('releasing the lock', file, err);
        } finally {
          if (this.traces.get(lockPath) === trace) this.traces.delete(lockPath);
        }
      },
    };
  }

  /** The callback-style fs proper-lockfile expects, backed by the port and watched. */
  private createLockFs(): object {
    const fs = this.fs;
    const traces = this.traces;
    const clock = this.clock;
    const done = <T>(promise: Promise<T>, cb: Callback<T>, after?: (value: T) => void): void => {
      promise.then(
        (value) => {
          after?.(value);
          cb(null, value);
        },
        (err: NodeJS.ErrnoException) => cb(err),
      );
    };
    return {
      mkdir: (path: string, cb: Callback) =>
        done(fs.mkdir(path), cb, () => {
          const trace = traces.get(path);
          if (trace) trace.createdPending = true;
        }),
      rmdir: (path: string, cb: Callback) => {
        const trace = traces.get(path);
        if (!trace) return done(fs.rmdir(path), cb);
        // Releasing: only the directory we made, which may have been taken over since our last
        // check without proper-lockfile noticing yet. The successor's lock is left to its holder.
        // (Ours with a moved mtime is still ours to remove.)
        if (!trace.acquiring) {
          return done(
            fs.lstat(path).then(
              (stats) => (lockIdentity(stats) === trace.ownId ? fs.rmdir(path) : undefined),
              (err: unknown) => {
                if (systemErrorCode(err) !== 'ENOENT') throw err;
              },
            ),
            cb,
          );
        }
        // proper-lockfile removes a lock while acquiring in three cases. After our mkdir, when
        // probing it failed: the lock is still ours unless the probe found nothing, in which case
        // whatever is at the path now is someone else's and is left alone.
        if (trace.createdPending) return trace.ownLockVanished ? cb(null) : done(fs.rmdir(path), cb);
        // And a lock it judged stale: only if it is still the lock judged. Between that judgement and
        // this rmdir another contender may have taken the stale lock over and made a fresh one;
        // removing that would let two processes hold the lock at once.
        done(
          fs.lstat(path).then(
            async (stats) => {
              // Something planted at the lock's name (a symlink, say) is no lock to take over.
              if (!isLockEntry(stats)) throw Object.assign(new Error(`${path} is neither a lock directory nor a lock file`), { code: 'ENOTDIR' });
              if (lockIdentity(stats) !== trace.seenId || lockMtimeMs(stats) !== trace.seenMtimeMs) {
                throw Object.assign(new Error(`the stale lock ${path} was replaced by a live one`), { code: 'ELOCKED' });
              }
              await removeLockEntry(fs, path, stats);
              if (trace.seenMtimeMs !== undefined) trace.staleAgeMs = clock.now() - trace.seenMtimeMs;
            },
            (err: unknown) => {
              // Already removed by another contender, who reports it: proper-lockfile goes on to mkdir.
              if (systemErrorCode(err) !== 'ENOENT') throw err;
            },
          ),
          cb,
        );
      },
      stat: (path: string, cb: Callback<{ mtime: Date }>) =>
        done(
          fs.stat(path).then(
            (s) => ({ mtime: new Date(lockMtimeMs(s)), id: lockIdentity(s) }),
            (err: unknown) => {
              const trace = traces.get(path);
              if (trace?.createdPending && systemErrorCode(err) === 'ENOENT') trace.ownLockVanished = true;
              throw err;
            },
          ),
          cb,
          ({ mtime, id }) => {
            const trace = traces.get(path);
            if (!trace) return;
            if (trace.createdPending) {
              trace.ownMtimeMs = mtime.getTime();
              trace.ownId = id;
              trace.createdPending = false;
            } else if (!trace.acquiring) {
              // A refresh: a lock that replaced ours is not ours to refresh, even with our mtime.
              // proper-lockfile compares this mtime with its own and declares the lock compromised.
              if (id !== trace.ownId) mtime.setTime(0);
            } else {
              trace.seenMtimeMs = mtime.getTime();
              trace.seenId = id;
              // proper-lockfile takes a lock whose mtime is in the future for fresh, so one left
              // that way (a clock set back, a touched lock) would block every writer until then.
              // No live holder's refresh lands further ahead than the stale threshold: show
              // proper-lockfile such a lock as stale (the same object is passed on to it).
              if (mtime.getTime() > clock.now() + trace.staleMs) mtime.setTime(0);
            }
          },
        ),
      utimes: (path: string, atime: Date, mtime: Date, cb: Callback) => {
        const trace = traces.get(path);
        if (!trace) return done(fs.utimes(path, atime, mtime), cb);
        // The probe of the first lock this locker makes: like the stat that follows it, finding
        // nothing means a contender removed the lock we had just made, and we simply retry.
        if (trace.createdPending) {
          return done(
            fs.utimes(path, atime, mtime).catch((err: unknown) => {
              if (systemErrorCode(err) === 'ENOENT') trace.ownLockVanished = true;
              throw err;
            }),
            cb,
          );
        }
        // A refresh: the lock may have been taken over since proper-lockfile stat'ed it. Touching
        // the successor's lock would make it look like ours, so a lock that is not the directory
        // we made is reported gone (proper-lockfile then declares ours compromised).
        done(
          fs.lstat(path).then(async (stats) => {
            if (lockIdentity(stats) !== trace.ownId) throw Object.assign(new Error(`the lock ${path} was replaced by another process's`), { code: 'ENOENT' });
            await fs.utimes(path, atime, mtime);
            trace.ownMtimeMs = mtime.getTime();
          }),
          cb,
        );
      },
      realpath: (path: string, cb: Callback<string>) => done(fs.realpath(path), cb),
      rmdirSync: (path: string) => fs.rmdirSync(path),
    };
  }
}
