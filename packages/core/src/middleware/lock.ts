import type { Next, Middleware, WriteContext } from '../contract.js';
import { holdFileLock, type LockServices } from '../lock/hold-file-lock.js';

/**
 * `lock`: the in-process mutex for the file, then the cross-process lock, held until the commit
 * is verified. A lost lock aborts the commit before its rename.
 */
export class LockMiddleware implements Middleware {
  readonly name = 'lock';

  constructor(private readonly services: LockServices) {}

  handle(ctx: WriteContext, next: Next): Promise<void> {
    return holdFileLock(this.services, ctx.file, { ...ctx.settings.lock, signal: ctx.signal }, async (lock) => {
      const onLost = (): void => ctx.abort(lock.signal.reason as Error);
      lock.signal.addEventListener('abort', onLost, { once: true });
      ctx.lock = lock;
      try {
        await next();
      } finally {
        lock.signal.removeEventListener('abort', onLost);
        ctx.lock = undefined;
      }
    });
  }
}
