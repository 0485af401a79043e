import { inject, injectable } from 'tsyringe';
import { atomicWriteFile } from '../commit/atomic-write.js';
import { CommitJournal } from '../commit/commit-journal.js';
import { isPreventionError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import type { Next } from '../pipeline/compose.js';
import type { Middleware, WriteContext } from '../pipeline/middleware.js';
import { TOKENS } from '../tokens.js';
import { putBack } from './put-back.js';

/**
 * `atomic-commit`: writes the prepared bytes with {@link atomicWriteFile}, keeping the replaced
 * file's mode (and owner, as root). Just before the rename it proves the lock is still held and
 * the commit not aborted. If only the final directory fsync fails, the previous version is put
 * back so that a failed commit never leaves a version nobody was told about. Each verified
 * commit is recorded in the file's commit journal, the baseline monitors compare against.
 */
@injectable()
export class AtomicCommitMiddleware implements Middleware {
  readonly name = 'atomic-commit';

  private readonly journal: CommitJournal;

  constructor(@inject(TOKENS.FileSystem) private readonly fs: FileSystem) {
    this.journal = new CommitJournal(fs);
  }

  async handle(ctx: WriteContext, next: Next): Promise<void> {
    await ctx.prepare();
    if (!ctx.changed || !ctx.bytes) return next();
    const current = ctx.current;
    try {
      ctx.committed = await atomicWriteFile(this.fs, ctx.file, ctx.bytes, {
        mode: current ? current.stats.mode & 0o7777 : undefined,
        owner: current ? { uid: current.stats.uid, gid: current.stats.gid } : undefined,
        beforeRename: async () => {
          if (ctx.signal.aborted) throw ctx.signal.reason as Error;
          await ctx.lock?.assertHeld();
        },
      });
    } catch (err) {
      // The new version is in place but not durable: put the previous one back, and say
      // whether that worked, since the file then holds one or the other.
      if (isPreventionError(err) && err.details.replaced === true) err.details.previousVersionRestored = await putBack(this.fs, ctx, err);
      throw err;
    }
    await next();
    // Recorded on the way out, once everything inside (verify) accepted the commit, and still
    // under the lock, so the journal's last line always matches the file.
    await this.journal
      .record(ctx.file, ctx.sha256!, ctx.committed)
      .catch((err: unknown) => ctx.logger.warn({ file: ctx.file, err }, 'could not record the commit in the journal; a monitor may report it as an outside change'));
  }
}
