import type { DocumentStore, Next, Middleware, WriteContext } from '../contract.js';
import { ErrorCodes, PreventionError } from '../errors.js';
import { revertAfterFailure } from '../store/revert-after-failure.js';

/**
 * `verify`: re-reads what the commit wrote and compares it with the bytes given, byte for byte
 * (from where the store began writing, when it kept the previous version's start: the length
 * read still proves the whole size). On a mismatch (a lying disk, a concurrent outside writer)
 * the previous version is put back and the commit fails with `PREVENTION_VERIFY_FAILED`.
 */
export class VerifyMiddleware implements Middleware {
  readonly name = 'verify';

  constructor(private readonly store: DocumentStore) {}

  async handle(ctx: WriteContext, next: Next): Promise<void> {
    const prepared = await ctx.prepare();
    const { committed } = ctx;
    if (committed && prepared.changed) {
      const from = committed.writtenFrom ?? 0;
      const expected = prepared.content.views(from);
      let found: Uint8Array | undefined;
      let cause: unknown;
      try {
        found = await this.store.readBack(ctx.file, { from });
      } catch (err) {
        cause = err;
      }
      if (!found || !sameBytes(expected, found)) {
        const restored = await revertAfterFailure(this.store, ctx.logger, ctx.file, { written: committed, previous: ctx.current, lock: ctx.lock, reason: cause });
        throw new PreventionError(
          ErrorCodes.VERIFY_FAILED,
          `${ctx.file} did not read back as written (${found ? describeMismatch(Buffer.concat(expected), found, from) : 'the re-read failed'}); ` +
            (restored
              ? 'the previous version was put back. Check the disk and retry'
              : 'putting the previous version back failed too, so the file may hold this unacknowledged version. Check the disk, then restore or retry'),
          { file: ctx.file, cause, details: { expected: ctx.sha256, from, previousVersionRestored: restored } },
        );
      }
      ctx.markVerified();
    }
    await next();
  }
}

/** `found` is exactly the bytes of `views`, in order. */
function sameBytes(views: readonly Uint8Array[], found: Uint8Array): boolean {
  let at = 0;
  for (const view of views) {
    if (at + view.length > found.length || Buffer.compare(view, found.subarray(at, at + view.length)) !== 0) return false;
    at += view.length;
  }
  return at === found.length;
}

function describeMismatch(expected: Buffer, found: Uint8Array, from: number): string {
  if (found.length !== expected.length) return `${from + found.length} bytes instead of ${from + expected.length}`;
  let at = 0;
  while (at < expected.length && expected[at] === found[at]) at++;
  return `byte ${from + at} differs`;
}
