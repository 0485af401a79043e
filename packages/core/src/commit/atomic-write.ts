import path from 'node:path';
import { isAnyTempName, isTempNameFor, tempPathFor } from '../store/file-layout.js';
import type { FileStats, FileSystem, VersionContent } from '../contract.js';
import { contentViews } from '../json/byte-rope.js';
import { ErrorCodes, ioError, PreventionError, systemErrorCode } from '../errors.js';

/** How {@link atomicWriteFile} should create the new version. */
export interface AtomicWriteOptions {
  /** Permission bits for the new file (for example the replaced file's); default 0o666 less the umask. */
  mode?: number;
  /** Owner to give the new file (applied only when running as root). */
  owner?: { uid: number; gid: number };
  /**
   * Runs after the temp file is durable and just before the rename; throwing aborts the commit
   * with the target untouched. The commit uses it to prove it still holds the lock.
   */
  beforeRename?: () => Promise<void>;
  /**
   * Runs once the new version is renamed into place, with its status, even if the directory fsync
   * then fails: a caller undoing the commit must know which version it would be undoing.
   */
  onRenamed?: (stats: FileStats) => void;
  /** What the write is, for error messages (default "writing"). */
  label?: string;
  /**
   * Build the temp file as a copy-on-write clone of `from` and write only the bytes after
   * `unchangedPrefix`, which must equal those of `from` (checked by the caller, and the file's
   * identity by `beforeRename`). A file system that cannot clone rejects the write with
   * `details.cloneUnsupported` set, the temp removed and the target untouched; the caller then
   * writes in full.
   */
  clone?: CloneSource;
  /**
   * Keep the replaced version's blocks past the rename: just before it, the target is
   * hard-linked to a temp name, which is handed here once the directory is fsynced (or its
   * fsync failed) for the caller to unlink when it suits. A rename over a file's last name
   * frees that file's blocks inside the rename, which on ext4 takes a third of a small
   * commit; the unlink does the same work off the commit's path. Where the file system makes
   * no link, the rename frees them as before.
   */
  keepReplaced?: (link: string) => void;
}

/** The file a commit's temp file is cloned from, and how much of it the new version keeps. */
export interface CloneSource {
  from: string;
  unchangedPrefix: number;
}

/**
 * The errors of FICLONE (ioctl_ficlone(2)) and of node's copyFile that mean this file system,
 * or this pair of files, cannot share blocks: EOPNOTSUPP (node reports it as ENOTSUP) and
 * EINVAL for a file system without reflink, EXDEV across mounts, ENOSYS where libuv has no
 * FICLONE. Writing every byte instead is just as atomic and durable. ETXTBSY (a swap file), EPERM
 * (an immutable file), EIO, ENOSPC and EACCES are not among them: they are problems of the file
 * or the disk that a full write would meet too, or should not paper over.
 */
const CANNOT_CLONE = new Set(['ENOTSUP', 'EOPNOTSUPP', 'EINVAL', 'EXDEV', 'ENOSYS']);

/** Whether `err` is {@link atomicWriteFile} saying that the file system cannot clone. */
export const isCloneUnsupported = (err: unknown): boolean => err instanceof PreventionError && err.details.cloneUnsupported === true;


const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Pieces shorter than this are joined into one write with their neighbours. */
const JOIN_BELOW = 64 * 1024;

/**
 * The buffers to write for `views`, in order: a large view as it is (a version that shares most
 * of its bytes with the last is never joined up just to be written), and each run of small ones
 * joined into buffers of at most {@link JOIN_BELOW}, since a write call per small piece costs
 * more than copying it.
 */
function writeBatches(views: readonly Uint8Array[]): Uint8Array[] {
  const batches: Uint8Array[] = [];
  let run: Uint8Array[] = [];
  let runLength = 0;
  const flush = (): void => {
    if (run.length > 0) batches.push(run.length === 1 ? run[0]! : Buffer.concat(run, runLength));
    run = [];
    runLength = 0;
  };
  for (const view of views) {
    if (view.length >= JOIN_BELOW) {
      flush();
      batches.push(view);
      continue;
    }
    if (runLength + view.length > JOIN_BELOW) flush();
    run.push(view);
    runLength += view.length;
  }
  flush();
  return batches;
}

async function removeQuietly(fs: FileSystem, file: string): Promise<void> {
  try {
    await fs.unlink(file);
  } catch {
    // The temp may not exist (open failed) or the disk may be failing; either way there is
    // nothing better to do, and the original error is what the caller needs to see.
  }
}

/**
 * Replaces `target` with `content` (bytes, or a version's pieces) so that a reader or a crash only ever sees the old or the new
 * version, whole, and the new version is durable when the promise resolves:
 * temp opened O_CREAT|O_EXCL|O_NOFOLLOW beside the target → every byte written (short writes
 * looped) → fsync → close → rename over the target → fsync of the directory. With
 * `options.clone` the temp is instead a clone of `clone.from`, opened O_WRONLY|O_NOFOLLOW,
 * and only the bytes after the unchanged prefix are written (then the clone is cut to length);
 * the rest of the steps are the same, so readers still see only whole versions.
 *
 * Any failure before the rename removes the temp file and leaves the target untouched, and
 * throws `PREVENTION_IO_FAILED` naming the step. A failure of the final directory fsync is also
 * thrown, with `details.replaced` set (the new version is in place but not yet durable); callers
 * roll back if they must.
 *
 * @returns the status of the new file (its inode, size and times identify this version)
 */
export async function atomicWriteFile(fs: FileSystem, target: string, content: Uint8Array | VersionContent, options: AtomicWriteOptions = {}): Promise<FileStats> {
  const temp = tempPathFor(target);
  const label = options.label ?? 'writing';
  const clone = options.clone;
  let fd: number;
  let step = clone ? 'cloning the file' : 'creating the temp file';
  try {
    if (clone) {
      await fs.cloneFile(clone.from, temp);
      step = 'opening the clone';
      fd = await fs.open(temp, fs.flags.writeExisting);
    } else {
      fd = await fs.open(temp, fs.flags.createExclusive, options.mode ?? 0o666);
    }
  } catch (err) {
    // A failed copyFile removes its own destination, but not an open that failed after it.
    if (clone) await removeQuietly(fs, temp);
    const error = ioError(`${label}: ${step}`, target, err);
    if (step === 'cloning the file' && CANNOT_CLONE.has(systemErrorCode(err) ?? '')) error.details.cloneUnsupported = true;
    throw error;
  }
  let stats: FileStats;
  step = 'setting the mode';
  try {
    // open() applies the umask and a clone has its source's mode; fchmod sets exactly the replaced file's mode.
    if (options.mode !== undefined) await fs.fchmod(fd, options.mode);
    if (options.owner && isRoot && (options.owner.uid !== 0 || options.owner.gid !== process.getgid?.())) {
      step = 'setting the owner';
      await fs.fchown(fd, options.owner.uid, options.owner.gid);
    }
    let offset = 0;
    if (clone) {
      step = 'reading the clone\'s status';
      const clonedSize = (await fs.fstat(fd)).size;
      // A source changed in place since the caller read it (shorter than the prefix, say) makes a
      // wrong clone here; `beforeRename` finds the source no longer the expected version and the
      // clone is removed unrenamed.
      offset = clone.unchangedPrefix;
      step = 'cutting the clone to length';
      // The clone holds the whole replaced version; a shorter new one must not keep its end.
      if (clonedSize > content.length) await fs.ftruncate(fd, content.length);
    }
    step = 'writing the temp file';
    for (const view of writeBatches(contentViews(content, offset))) {
      for (let done = 0; done < view.length; ) {
        const written = await fs.write(fd, view, done, view.length - done, offset);
        if (written <= 0) throw new Error(`write returned ${written}`);
        done += written;
        offset += written;
      }
    }
    step = 'fsync of the temp file';
    await fs.fsync(fd);
    step = 'reading back the temp file status';
    stats = await fs.fstat(fd);
  } catch (err) {
    await fs.close(fd).catch(() => undefined);
    await removeQuietly(fs, temp);
    throw ioError(`${label}: ${step}`, target, err);
  }
  try {
    await fs.close(fd);
  } catch (err) {
    await removeQuietly(fs, temp);
    throw ioError(`${label}: closing the temp file`, target, err);
  }
  try {
    await options.beforeRename?.();
  } catch (err) {
    await removeQuietly(fs, temp);
    throw err;
  }
  const kept = options.keepReplaced && (await linkAside(fs, target));
  try {
    await fs.rename(temp, target);
  } catch (err) {
    await removeQuietly(fs, temp);
    if (kept) await removeQuietly(fs, kept);
    // Only a writer that took this lock over as stale removes another's temp files (the sweep
    // after a takeover): this process was frozen or starved past the stale threshold, and its
    // rename must not land on top of the newer holder's commits.
    if (systemErrorCode(err) === 'ENOENT') {
      throw new PreventionError(
        ErrorCodes.LOCK_COMPROMISED,
        `${label}: the temp file for ${target} was moved aside before its rename, by a process that took the lock over as stale; nothing was written. Retry`,
        { file: target, cause: err },
      );
    }
    throw ioError(`${label}: renaming the temp file over the target`, target, err);
  }
  options.onRenamed?.(stats);
  try {
    await fs.syncDirectory(path.dirname(target));
  } catch (err) {
    const error = ioError(`${label}: fsync of the directory (the new version is in place but may not survive a power loss)`, target, err);
    error.details.replaced = true;
    throw error;
  } finally {
    if (kept) options.keepReplaced!(kept);
  }
  return stats;
}

/**
 * A second name for the version at `target`, or undefined where there is none to keep (a first
 * write) or the file system makes no hard link: the commit needs none, it is only faster with one.
 */
async function linkAside(fs: FileSystem, target: string): Promise<string | undefined> {
  const link = tempPathFor(target);
  try {
    await fs.link(target, link);
    return link;
  } catch {
    return undefined;
  }
}


/**
 * Removes temp files that an earlier, dead writer left beside `target`. Call it only while
 * holding the target's lock: every live writer creates temps under that lock, so any temp
 * found then is an orphan.
 *
 * @returns the paths removed
 */
export function sweepTempFiles(fs: FileSystem, target: string): Promise<string[]> {
  return sweep(fs, path.dirname(target), (name) => isTempNameFor(target, name));
}

/**
 * Removes every temp file of {@link atomicWriteFile} in `dir`, whatever its target: for a
 * directory written only under one lock (a file's backup directory, while holding that file's
 * lock), where any temp found is an orphan of a writer that died or could not clean up.
 *
 * @returns the paths removed
 */
export function sweepTempFilesIn(fs: FileSystem, dir: string): Promise<string[]> {
  return sweep(fs, dir, isAnyTempName);
}

async function sweep(fs: FileSystem, dir: string, isOrphan: (name: string) => boolean): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!isOrphan(name)) continue;
    const file = path.join(dir, name);
    try {
      await fs.unlink(file);
      removed.push(file);
    } catch {
      // Gone already, or not removable now; the next sweep tries again.
    }
  }
  return removed;
}
