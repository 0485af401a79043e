import type { DocumentStore, Next, Middleware, WriteContext } from '../contract.js';
import { ErrorCodes, PreventionError } from '../errors.js';
import { revertAfterFailure } from '../store/revert-after-failure.js';
import { sha256Hex } from '../commit/sha256.js';

/**
 * `verify`: re-reads the committed version and compares its sha256 with the bytes written. On
 * a mismatch (a lying disk, a concurrent outside writer) the previous version is put back and
 * the commit fails with `PREVENTION_VERIFY_FAILED`.
 */
export class VerifyMiddleware implements Middleware {
  readonly name = 'verify';

  constructor(private readonly store: DocumentStore) {}

  async handle(ctx: WriteContext, next: Next): Promise<void> {
    const { committed, sha256 } = ctx;
    if (committed && sha256) {
      let actual: string | undefined;
      let cause: unknown;
      try {
        actual = sha256Hex(await this.store.readBack(ctx.file));
      } catch (err) {
        cause = err;
      }
      if (actual !== sha256) {
        const restored = await revertAfterFailure(this.store, ctx.logger, ctx.file, { written: committed, previous: ctx.current, lock: ctx.lock, reason: cause });
        throw new PreventionError(
          ErrorCodes.VERIFY_FAILED,
          `${ctx.file} did not read back as written (${actual ? `sha256 ${actual.slice(0, 12)}… instead of ${sha256.slice(0, 12)}…` : 'the re-read failed'}); ` +
            (restored
              ? 'the previous version was put back. Check the disk and retry'
              : 'putting the previous version back failed too, so the file may hold this unacknowledged version. Check the disk, then restore or retry'),
          { file: ctx.file, cause, details: { expected: sha256, actual, previousVersionRestored: restored } },
        );
      }
      ctx.markVerified();
    }
    await next();
  }
}
