import { atomicWriteFile } from '../commit/atomic-write.js';
import type { FileSystem } from '../fs/file-system.js';
import type { WriteContext } from '../pipeline/middleware.js';

/**
 * Puts the version from before the commit back in place (or removes a file the commit
 * created), after a commit that replaced the file could not be confirmed. Failing to do so is
 * logged with both errors; the caller still throws the original one, and must say which version
 * the file now holds.
 *
 * @returns whether the previous version is back in place
 */
export async function putBack(fs: FileSystem, ctx: WriteContext, reason: unknown): Promise<boolean> {
  try {
    if (ctx.current) {
      await atomicWriteFile(fs, ctx.file, ctx.current.bytes, { mode: ctx.current.stats.mode & 0o7777, label: 'putting the previous version back' });
    } else {
      await fs.unlink(ctx.file);
    }
    return true;
  } catch (err) {
    ctx.logger.error({ file: ctx.file, err, reason }, 'could not put the previous version back after a failed commit');
    return false;
  }
}
