import type { FileAttributes, FileStats, FileSystem, Next, Middleware, WriteContext } from '../contract.js';
import { atomicWriteFile } from '../commit/atomic-write.js';
import { CommitJournal } from '../commit/commit-journal.js';
import { ErrorCodes, ioError, isPreventionError, PreventionError, systemErrorCode } from '../errors.js';
import { attributesOf } from '../fs/file-attributes.js';
import { putBack } from './put-back.js';

/**
 * The mode and owner of the damaged file a restore replaces, for when its backup recorded none:
 * it has no parsed current version, but it still has them.
 */
async function replacedAttributes(fs: FileSystem, ctx: WriteContext): Promise<FileAttributes | undefined> {
  try {
    return attributesOf(await fs.lstat(ctx.file));
  } catch (err) {
    if (systemErrorCode(err) === 'ENOENT') return undefined;
    throw ioError('reading the mode of the version being replaced', ctx.file, err);
  }
}

/**
 * The file must still be the version this commit loaded. Under a held lock nothing else commits,
 * so a change means a second holder: a contender that removed a lock it wrongly judged stale, or
 * a program writing without prevention. Renaming anyway would silently drop that write.
 */
async function assertTargetUnchanged(fs: FileSystem, ctx: WriteContext): Promise<void> {
  // A restore over a damaged file loaded no version to compare with.
  if (ctx.kind === 'restore' && !ctx.current) return;
  let stats: FileStats | undefined;
  try {
    stats = await fs.lstat(ctx.file);
  } catch (err) {
    if (systemErrorCode(err) !== 'ENOENT') throw ioError('checking the file before the rename', ctx.file, err);
  }
  const loaded = ctx.current?.stats;
  const unchanged = loaded === undefined ? stats === undefined : stats !== undefined && stats.ino === loaded.ino && stats.size === loaded.size && stats.mtimeNs === loaded.mtimeNs;
  if (unchanged) return;
  throw new PreventionError(
    ErrorCodes.LOCK_COMPROMISED,
    `${ctx.file} changed on disk while this process held its lock, so another process wrote it concurrently ` +
      '(a lock taken over as stale, or a program that does not use prevention); the commit was refused and the file left as that writer left it. Retry the write',
    { file: ctx.file, details: { loaded: loaded ? 'present' : 'absent', found: stats ? 'present' : 'absent' } },
  );
}

/**
 * `atomic-commit`: writes the prepared bytes with {@link atomicWriteFile}, keeping the replaced
 * file's mode (and owner, as root), or for a restore with no readable file to replace, the mode
 * and owner its backup recorded. Just before the rename it proves the lock is still held, the
 * file still the version the commit loaded, and the commit not aborted. If only the final directory fsync fails, the previous version is put
 * back so that a failed commit never leaves a version nobody was told about. Each verified
 * commit is recorded in the file's commit journal, the baseline monitors compare against.
 */
export class AtomicCommitMiddleware implements Middleware {
  readonly name = 'atomic-commit';

  private readonly journal: CommitJournal;

  constructor(private readonly fs: FileSystem) {
    this.journal = new CommitJournal(fs);
  }

  async handle(ctx: WriteContext, next: Next): Promise<void> {
    await ctx.prepare();
    if (!ctx.changed || !ctx.bytes) return next();
    // The file being replaced keeps its mode and owner; a restore over a damaged or missing file
    // gets those its backup recorded, and failing that the damaged file's, never the defaults of
    // a new file (a 0600 file must not come back 0644).
    const attributes = ctx.current ? attributesOf(ctx.current.stats) : (ctx.restoring?.attributes ?? (await replacedAttributes(this.fs, ctx)));
    let renamed: FileStats | undefined;
    try {
      ctx.committed = await atomicWriteFile(this.fs, ctx.file, ctx.bytes, {
        onRenamed: (stats) => (renamed = stats),
        mode: attributes?.mode,
        owner: attributes && { uid: attributes.uid, gid: attributes.gid },
        beforeRename: async () => {
          if (ctx.signal.aborted) throw ctx.signal.reason as Error;
          await ctx.lock?.assertHeld();
          await assertTargetUnchanged(this.fs, ctx);
        },
      });
    } catch (err) {
      // The new version is in place but not durable: put the previous one back, and say
      // whether that worked, since the file then holds one or the other.
      if (isPreventionError(err) && renamed) err.details.previousVersionRestored = await putBack(this.fs, ctx, renamed, err);
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
