import type { FileStats, FileSystem, WriteContext } from '../contract.js';
import { atomicWriteFile } from '../commit/atomic-write.js';
import { ErrorCodes, ioError, isPreventionError, PreventionError, systemErrorCode } from '../errors.js';

/**
 * Puts the version from before the commit back in place (or removes a file the commit
 * created), after a commit that replaced the file could not be confirmed, if this process still
 * holds the lock and the file is still the one this commit renamed into place, `written`
 * (otherwise it throws `PREVENTION_LOCK_COMPROMISED`). Failing to do so is
 * logged with both errors; the caller still throws the original one, and must say which version
 * the file now holds.
 *
 * @returns whether the previous version is back in place
 */
export async function putBack(fs: FileSystem, ctx: WriteContext, written: FileStats, reason: unknown): Promise<boolean> {
  // Only the lock holder may touch the file. A holder starved past the stale threshold after its
  // rename has lost the lock, and the file may already hold the new holder's acknowledged commits:
  // putting the old version back would destroy them. This throws PREVENTION_LOCK_COMPROMISED.
  // Any other failure to check it is a failed put-back, like a failed write.
  try {
    await ctx.lock?.assertHeld();
    await assertStillWritten(fs, ctx.file, written);
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

/**
 * A put-back is a compare-and-swap: it may only replace the version this commit wrote. Another
 * rename since then is another writer's commit (a second holder, however it came to hold the
 * lock), and it may be acknowledged; an in-place change is another program's write. Either is
 * kept, never overwritten with an older version.
 */
async function assertStillWritten(fs: FileSystem, file: string, written: FileStats): Promise<void> {
  let stats: FileStats | undefined;
  try {
    stats = await fs.lstat(file);
  } catch (err) {
    if (systemErrorCode(err) !== 'ENOENT') throw ioError('checking the file before putting the previous version back', file, err);
  }
  if (stats && stats.ino === written.ino && stats.size === written.size && stats.mtimeNs === written.mtimeNs) return;
  throw new PreventionError(
    ErrorCodes.LOCK_COMPROMISED,
    `${file} was ${stats ? 'replaced' : 'removed'} by another process after this commit wrote it (a lock taken over as stale, or a program that does not use prevention); ` +
      'the commit was refused and the file left as that writer left it. Retry the write',
    { file, details: { found: stats ? 'present' : 'absent' } },
  );
}
