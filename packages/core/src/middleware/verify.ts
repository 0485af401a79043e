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

  /**
   * The buffer commits are read back into, lent to one verify at a time: a fresh one the size
   * of the document on every commit costs page faults and, at tens of megabytes, the garbage
   * collector's full passes.
   */
  private spare: Uint8Array | undefined;

  constructor(private readonly store: DocumentStore) {}

  async handle(ctx: WriteContext, next: Next): Promise<void> {
    const prepared = await ctx.prepare();
    const { committed } = ctx;
    if (committed && prepared.changed) {
      const from = committed.writtenFrom ?? 0;
      const expected = prepared.content.views(from);
      const into = this.borrow(prepared.content.length - from + 1);
      let found: Uint8Array | undefined;
      let cause: unknown;
      try {
        found = await this.store.readBack(ctx.file, { from, into });
      } catch (err) {
        cause = err;
      }
      const same = found !== undefined && sameBytes(expected, found);
      // Described before the buffer goes back for the next verify to read into.
      const mismatch = found && !same ? describeMismatch(Buffer.concat(expected), found, from) : 'the re-read failed';
      this.spare = into;
      if (!same) {
        const restored = await revertAfterFailure(this.store, ctx.logger, ctx.file, { written: committed, previous: ctx.current, lock: ctx.lock, reason: cause });
        throw new PreventionError(
          ErrorCodes.VERIFY_FAILED,
          `${ctx.file} did not read back as written (${mismatch}); ` +
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

  /** The spare buffer when no other verify has it and it holds `length` bytes, else a new one. */
  private borrow(length: number): Uint8Array {
    const spare = this.spare;
    this.spare = undefined;
    // Its own memory (never a slice of Buffer's shared pool), with room to grow into. A store
    // that does not read into it (one whose bytes come from a server) never touches its pages.
    return spare && spare.length >= length ? spare : Buffer.allocUnsafeSlow(length + (length >> 3));
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
