import { atomicWriteFile } from '../commit/atomic-write.js';
import { ErrorCodes, isPreventionError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import type { WriteContext } from '../pipeline/middleware.js';

/**
 * Puts the version from before the commit back in place (or removes a file the commit
 * created), after a commit that replaced the file could not be confirmed, if this process still
 * holds the lock (otherwise it throws `PREVENTION_LOCK_COMPROMISED`). Failing to do so is
 * logged with both errors; the caller still throws the original one, and must say which version
 * the file now holds.
 *
 * @returns whether the previous version is back in place
 */
export async function putBack(fs: FileSystem, ctx: WriteContext, reason: unknown): Promise<boolean> {
  // Only the lock holder may touch the file. A holder starved past the stale threshold after its
  // rename has lost the lock, and the file may already hold the new holder's acknowledged commits:
  // putting the old version back would destroy them. This throws PREVENTION_LOCK_COMPROMISED.
  // Any other failure to check it is a failed put-back, like a failed write.
  try {
    await ctx.lock?.assertHeld();
    if (ctx.current) {
      await atomicWriteFile(fs, ctx.file, ctx.current.bytes, { mode: ctx.current.stats.mode & 0o7777, label: 'putting the previous version back' });
    } else {
      await fs.unlink(ctx.file);
    }
    return true;
  } catch (err) {
    if (isPreventionError(err, ErrorCodes.LOCK_COMPROMISED)) throw err;
    ctx.logger.error({ file: ctx.file, err, reason }, 'could not put the previous version back after a failed commit');
    return false;
  }
}
