import type { FileSystem, Next, Middleware, WriteContext } from '../contract.js';
import { ErrorCodes, PreventionError } from '../errors.js';
import { sha256Hex } from '../commit/sha256.js';
import { putBack } from './put-back.js';

/**
 * `verify`: re-reads the committed file and compares its sha256 with the bytes written. On a
 * mismatch (a lying disk, a concurrent outside writer) the previous version is put back and the
 * commit fails with `PREVENTION_VERIFY_FAILED`.
 */
export class VerifyMiddleware implements Middleware {
  readonly name = 'verify';

  constructor(private readonly fs: FileSystem) {}

  async handle(ctx: WriteContext, next: Next): Promise<void> {
    if (ctx.committed && ctx.sha256) {
      let actual: string | undefined;
      let cause: unknown;
      try {
        actual = sha256Hex(await this.fs.readFile(ctx.file));
      } catch (err) {
        cause = err;
      }
      if (actual !== ctx.sha256) {
        const restored = await putBack(this.fs, ctx, ctx.committed, cause);
        throw new PreventionError(
          ErrorCodes.VERIFY_FAILED,
          `${ctx.file} did not read back as written (${actual ? `sha256 ${actual.slice(0, 12)}… instead of ${ctx.sha256.slice(0, 12)}…` : 'the re-read failed'}); ` +
            (restored
              ? 'the previous version was put back. Check the disk and retry'
              : 'putting the previous version back failed too, so the file may hold this unacknowledged version. Check the disk, then restore or retry'),
          { file: ctx.file, cause, details: { expected: ctx.sha256, actual, previousVersionRestored: restored } },
        );
      }
    }
    await next();
  }
}
