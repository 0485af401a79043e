import { inject, injectable } from 'tsyringe';
import { sweepTempFiles } from '../commit/atomic-write.js';
import type { EngineEvents } from '../events/event-bus.js';
import type { FileSystem } from '../fs/file-system.js';
import type { FileLocker } from '../lock/file-locker.js';
import type { KeyedMutex } from '../lock/keyed-mutex.js';
import type { Next } from '../pipeline/compose.js';
import type { Middleware, WriteContext } from '../pipeline/middleware.js';
import { TOKENS } from '../tokens.js';

/**
 * `lock`: the in-process mutex for the file, then the cross-process lock, held until the commit
 * is verified. A lost lock aborts the commit. Orphaned temp files are swept while the lock is
 * held, the first time this engine commits the file and after taking over a dead holder's lock.
 */
@injectable()
export class LockMiddleware implements Middleware {
  readonly name = 'lock';
  private readonly swept = new Set<string>();

  constructor(
    @inject(TOKENS.FileLocker) private readonly locker: FileLocker,
    @inject(TOKENS.Mutex) private readonly mutex: KeyedMutex,
    @inject(TOKENS.Events) private readonly events: EngineEvents,
    @inject(TOKENS.FileSystem) private readonly fs: FileSystem,
  ) {}

  async handle(ctx: WriteContext, next: Next): Promise<void> {
    const releaseMutex = await this.mutex.acquire(ctx.file);
    try {
      const lock = await this.locker.acquire(ctx.file, { ...ctx.settings.lock, signal: ctx.signal });
      const onLost = (): void => ctx.abort(lock.signal.reason as Error);
      lock.signal.addEventListener('abort', onLost, { once: true });
      ctx.lock = lock;
      try {
        if (lock.staleRecovered) {
          ctx.logger.warn({ file: ctx.file, ageMs: lock.staleRecovered.ageMs }, 'took over a stale lock left by a dead or frozen process');
          this.events.emit('lock:stale-recovered', { file: ctx.file, lockPath: lock.lockPath, ageMs: lock.staleRecovered.ageMs });
        }
        if (lock.staleRecovered || !this.swept.has(ctx.file)) {
          const removed = await sweepTempFiles(this.fs, ctx.file);
          if (removed.length > 0) ctx.logger.info({ file: ctx.file, removed }, 'removed temp files left by a dead writer');
          this.swept.add(ctx.file);
        }
        await next();
      } finally {
        lock.signal.removeEventListener('abort', onLost);
        ctx.lock = undefined;
        // The commit's outcome is already decided; failing it now would make a caller retry a
        // write that is durable. A lock that could not be removed goes stale and is taken over.
        await lock.release().catch((err: unknown) => ctx.logger.warn({ file: ctx.file, err }, 'could not release the lock; it will be taken over once stale'));
      }
    } finally {
      releaseMutex();
    }
  }
}
