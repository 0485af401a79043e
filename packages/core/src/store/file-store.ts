import path from 'node:path';
import type { Clock, CommitRecord, DocumentStore, FileLocker, FileStats, FileSystem, LockHandle, LockOptions, Logger, StoreCommitOptions, StoredCommit, StoredHead, StoredVersion, VersionContent, VersionToken } from '../contract.js';
import { atomicWriteFile, isCloneUnsupported, sweepTempFiles, type CloneSource } from '../commit/atomic-write.js';
import { CommitJournal, readLastCommit } from '../commit/commit-journal.js';
import { ErrorCodes, ioError, isPreventionError, PreventionError, systemErrorCode } from '../errors.js';
import { attributesOf } from '../fs/file-attributes.js';
import type { PathAnchors } from '../fs/anchored-file-system.js';
import { fileStamp, journalPathFor, quarantineDirFor, stateDirFor } from './file-layout.js';
import { ReplacedVersions } from './replaced-versions.js';
import { revertAfterFailure } from './revert-after-failure.js';

/** What a {@link FileStore} is made of. */
export interface FileStoreParts {
  fs: FileSystem;
  anchors: PathAnchors;
  locker: FileLocker;
  clock: Clock;
  logger: Logger;
}

/**
 * A file's version token: inode, size and times. A rename always brings a new inode, and an
 * in-place edit changes the size or the mtime; the birth time tells apart an inode the file
 * system reused.
 */
function tokenOf(stats: FileStats): VersionToken {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.birthtimeNs}`;
}

/** The inode a token names, for the commit journal (which records it for observers). */
const inodeOf = (token: VersionToken): string => token.split(':')[1] ?? '';

const headOf = (stats: FileStats): StoredHead => ({ token: tokenOf(stats), attributes: attributesOf(stats) });

/**
 * How many unchanged leading bytes make cloning the file worth it rather than writing it
 * whole. Measured on XFS with reflink (loop device, commits of one appended event alternated
 * between the two paths, medians of FileStore.commit): the clone, its status call, the prefix
 * comparison and the tail block it unshares cost a fixed ~0.2 ms, so the clone loses below
 * 512 KiB (1.67 vs 1.47 ms there), breaks even at 1 MiB (1.58 vs 1.55 ms) and wins from
 * 2 MiB (1.84 vs 2.05 ms; 40 MiB: 18 vs 30 ms), writing 16 bytes instead of every byte. The
 * clone is a new inode with nothing in the page cache, so a process that reads the new version
 * whole pays for that (0.6 vs 0.2 ms at 1 MiB): another reason not to clone small files.
 */
export const CLONE_MIN_PREFIX = 1024 * 1024;

/**
 * The {@link DocumentStore} on plain files, through the FileSystem port: a version is the file's
 * content, replaced by atomic rename (temp file, fsync, rename, directory fsync); the lock is
 * proper-lockfile's lock directory beside the file; the commit record is the file's commit
 * journal in `.prevention/`. Symbolic links and other non-regular files at a document's path are
 * refused, never followed or replaced.
 */
export class FileStore implements DocumentStore {
  readonly kind = 'file';
  private readonly journal: CommitJournal;
  private readonly directoriesReady = new Set<string>();
  /** Files whose orphaned temp files were already swept by this store. */
  private readonly swept = new Set<string>();
  /** Directories whose file system refused to clone: asked once, then written in full. */
  private readonly cannotClone = new Set<string>();
  private readonly replaced: ReplacedVersions;

  constructor(private readonly parts: FileStoreParts) {
    this.journal = new CommitJournal(parts.fs);
    // A replaced version that failed to unlink is left for the next lock's sweep.
    this.replaced = new ReplacedVersions(parts.fs, (file) => this.swept.delete(file));
  }

  async prepare(file: string): Promise<void> {
    const dir = path.dirname(file);
    if (!this.directoriesReady.has(dir)) {
      try {
        await this.parts.fs.mkdir(dir, { recursive: true });
      } catch (err) {
        throw ioError('creating the directory', file, err);
      }
      this.directoriesReady.add(dir);
    }
    // Refused here as itself, before a backup or the journal could fail on it as something else.
    await this.parts.anchors.check(stateDirFor(file));
  }

  async head(file: string): Promise<StoredHead | undefined> {
    const stats = await this.regularFile(file);
    return stats && headOf(stats);
  }

  async load(file: string, options: { unless?: VersionToken } = {}): Promise<StoredVersion | StoredHead | undefined> {
    const stats = await this.regularFile(file);
    if (!stats) return undefined;
    const head = headOf(stats);
    if (head.token === options.unless) return head;
    let bytes: Buffer;
    try {
      bytes = await this.parts.fs.readFile(file);
    } catch (err) {
      if (systemErrorCode(err) === 'ELOOP') {
        throw new PreventionError(ErrorCodes.UNSAFE_PATH, `${file} became a symbolic link; prevention refuses to follow it`, { file, cause: err });
      }
      if (systemErrorCode(err) === 'ENOENT') return undefined;
      throw ioError('reading the current version', file, err);
    }
    return { ...head, bytes };
  }

  async readBack(file: string, options: { from?: number; into?: Uint8Array } = {}): Promise<Uint8Array> {
    const from = options.from ?? 0;
    const { fs } = this.parts;
    const fd = await fs.open(file, fs.flags.readNoFollow);
    try {
      const stats = await fs.fstat(fd);
      // Opened without blocking, a FIFO planted at the name would read as empty.
      if (!stats.isFile()) throw Object.assign(new Error(`EINVAL: not a regular file, read '${file}'`), { code: 'EINVAL', syscall: 'read', path: file });
      // One byte past the size: a file that grew since the fstat reads as longer than written.
      const length = Math.max(0, stats.size - from) + 1;
      const bytes = options.into && options.into.length >= length ? options.into.subarray(0, length) : Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        const read = await fs.read(fd, bytes, done, length - done, from + done);
        if (read === 0) break;
        done += read;
      }
      return bytes.subarray(0, done);
    } finally {
      await fs.close(fd).catch(() => undefined);
    }
  }

  async lock(file: string, options: LockOptions): Promise<LockHandle> {
    const lock = await this.parts.locker.acquire(file, options);
    try {
      // Every live writer makes its temp files under this lock, so any found now is an orphan.
      if (lock.staleRecovered || !this.swept.has(file)) {
        const removed = [...(await sweepTempFiles(this.parts.fs, file)), ...(await sweepTempFiles(this.parts.fs, journalPathFor(file)))];
        if (removed.length > 0) this.parts.logger.info({ file, removed }, 'removed temp files left by a dead writer');
        this.swept.add(file);
      }
    } catch (err) {
      await lock.release().catch(() => undefined);
      throw err;
    }
    const { replaced } = this;
    // The versions that the commits under this lock replaced are unlinked after it is released:
    // the next writer need not wait for their blocks to be freed, and no caller is told its
    // commit is done while one is still beside the file.
    return {
      file: lock.file,
      lockPath: lock.lockPath,
      signal: lock.signal,
      staleRecovered: lock.staleRecovered,
      assertHeld: () => lock.assertHeld(),
      async release() {
        try {
          await lock.release();
        } finally {
          await replaced.dropped(file);
        }
      },
    };
  }

  async commit(file: string, content: Uint8Array | VersionContent, options: StoreCommitOptions): Promise<StoredCommit> {
    const attributes = options.attributes ?? options.previous?.attributes ?? (await this.attributesOfReplaced(file));
    let renamed: FileStats | undefined;
    const write = (clone: CloneSource | undefined) =>
      atomicWriteFile(this.parts.fs, file, content, {
        clone,
        onRenamed: (s) => (renamed = s),
        keepReplaced: (link) => this.replaced.drop(file, link),
        mode: attributes?.mode,
        owner: attributes && { uid: attributes.uid, gid: attributes.gid },
        // On both paths. For a clone it is also what proves the clone was taken of the loaded
        // version: a file changed in place since the load (or between the load and the clone)
        // has another size or mtime, so another token, and the clone is never renamed.
        beforeRename: async () => {
          await options.ready?.();
          if (options.signal?.aborted) throw options.signal.reason as Error;
          await options.lock?.assertHeld();
          if (options.expected !== undefined) await this.assertCurrent(file, options.expected);
        },
      });
    try {
      const clone = this.cloneSourceFor(file, content.length, options);
      let committed: StoredCommit;
      try {
        const stats = await write(clone);
        committed = { ...headOf(stats), size: stats.size, ...(clone ? { writtenFrom: clone.unchangedPrefix } : {}) };
      } catch (err) {
        if (!clone || !isCloneUnsupported(err)) throw err;
        // Not a weaker commit: the full write is just as atomic and durable, only slower.
        this.cannotClone.add(path.dirname(file));
        this.parts.logger.debug({ file, reason: (err as PreventionError).details.systemCode }, 'the file system cannot clone; writing versions whole in this directory');
        const stats = await write(undefined);
        committed = { ...headOf(stats), size: stats.size };
      }
      // Under a lock, its release waits for the replaced version's unlink (see lock()).
      if (!options.lock) await this.replaced.dropped(file);
      return committed;
    } catch (err) {
      // A failed commit can leave its temp file behind (on a failing disk, removing it fails too).
      this.swept.delete(file);
      // The new version is in place but not durable: put the previous one back, and say
      // whether that worked, since the file then holds one or the other.
      if (isPreventionError(err) && renamed) err.details.previousVersionRestored = await revertAfterFailure(this, this.parts.logger, file, {
          written: { ...headOf(renamed), size: renamed.size },
          previous: options.previous,
          lock: options.lock,
          reason: err,
        });
      throw err;
    }
  }

  async revert(file: string, written: StoredCommit, previous: StoredVersion | undefined, lock: LockHandle | undefined): Promise<void> {
    // Only the lock holder may touch the file. A holder starved past the stale threshold after its
    // rename has lost the lock, and the file may already hold the new holder's acknowledged commits.
    await lock?.assertHeld();
    await this.assertStillWritten(file, written);
    try {
      if (previous) await atomicWriteFile(this.parts.fs, file, previous.bytes, { mode: previous.attributes?.mode, label: 'putting the previous version back' });
      else await this.parts.fs.unlink(file);
    } catch (err) {
      this.swept.delete(file);
      throw isPreventionError(err) ? err : ioError('putting the previous version back', file, err);
    }
  }

  async record(file: string, commit: StoredCommit & { sha256: string }): Promise<void> {
    try {
      await this.journal.record(file, { sha256: commit.sha256, size: commit.size, mode: commit.attributes?.mode ?? 0o644, ino: inodeOf(commit.token) });
    } catch (err) {
      // Compacting the journal can leave its temp file behind, as a failed commit can.
      this.swept.delete(file);
      throw err;
    }
  }

  lastRecord(file: string): Promise<CommitRecord | undefined> {
    return readLastCommit(this.parts.fs, file);
  }

  async quarantine(file: string, bytes: Uint8Array, reason: string): Promise<string> {
    const dir = quarantineDirFor(file);
    const target = path.join(dir, `${path.basename(file)}.${fileStamp(new Date(this.parts.clock.now()))}.${process.pid}.${reason}`);
    try {
      await this.parts.fs.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw ioError('creating the quarantine folder', file, err);
    }
    await atomicWriteFile(this.parts.fs, target, bytes, { mode: 0o600, label: 'quarantining the replaced version' });
    return target;
  }

  /**
   * Where the commit can clone the replaced file and write only its tail: an append to a
   * loaded version (whose token the rename is checked against) that keeps at least
   * {@link CLONE_MIN_PREFIX} bytes, in a directory not yet found unable to clone.
   */
  private cloneSourceFor(file: string, length: number, options: StoreCommitOptions): CloneSource | undefined {
    const { previous } = options;
    const prefix = options.unchangedPrefix ?? 0;
    if (!previous || options.expected !== previous.token || prefix < CLONE_MIN_PREFIX || prefix > length || this.cannotClone.has(path.dirname(file))) return undefined;
    // The prefix is the caller's promise (the engine's serializer keeps the replaced version's
    // bytes and says how many): comparing them here would cost a pass over the whole file.
    return { from: file, unchangedPrefix: prefix };
  }

  /** The file's status; `undefined` when it does not exist; refused when it is not a regular file. */
  private async regularFile(file: string): Promise<FileStats | undefined> {
    let stats: FileStats;
    try {
      stats = await this.parts.fs.lstat(file);
    } catch (err) {
      if (systemErrorCode(err) === 'ENOENT') return undefined;
      throw ioError('reading the current version', file, err);
    }
    if (!stats.isFile()) {
      throw new PreventionError(
        ErrorCodes.UNSAFE_PATH,
        `${file} is ${stats.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; prevention refuses to follow or replace it. Move it away and retry`,
        { file },
      );
    }
    return stats;
  }

  /**
   * The mode and owner of damaged content a restore replaces, when no version was loaded and
   * its backup recorded none: a 0600 file must not come back 0644.
   */
  private async attributesOfReplaced(file: string) {
    try {
      return attributesOf(await this.parts.fs.lstat(file));
    } catch (err) {
      if (systemErrorCode(err) === 'ENOENT') return undefined;
      throw ioError('reading the mode of the version being replaced', file, err);
    }
  }

  /**
   * The file must still be the version the commit loaded. Under a held lock nothing else
   * commits, so a change means a second holder: a contender that removed a lock it wrongly
   * judged stale, or a program writing without prevention. Renaming anyway would silently drop
   * that write.
   */
  private async assertCurrent(file: string, expected: VersionToken | null): Promise<void> {
    const found = await this.currentToken(file, 'checking the file before the rename');
    if (found === (expected ?? undefined)) return;
    throw new PreventionError(
      ErrorCodes.LOCK_COMPROMISED,
      `${file} changed on disk while this process held its lock, so another process wrote it concurrently ` +
        '(a lock taken over as stale, or a program that does not use prevention); the commit was refused and the file left as that writer left it. Retry the write',
      { file, details: { loaded: expected ? 'present' : 'absent', found: found ? 'present' : 'absent' } },
    );
  }

  /**
   * A put-back is a compare-and-swap: it may only replace the version this commit wrote. Another
   * rename since then is another writer's commit, and it may be acknowledged; an in-place change
   * is another program's write. Either is kept, never overwritten with an older version.
   */
  private async assertStillWritten(file: string, written: StoredCommit): Promise<void> {
    const found = await this.currentToken(file, 'checking the file before putting the previous version back');
    if (found === written.token) return;
    throw new PreventionError(
      ErrorCodes.LOCK_COMPROMISED,
      `${file} was ${found ? 'replaced' : 'removed'} by another process after this commit wrote it (a lock taken over as stale, or a program that does not use prevention); ` +
        'the commit was refused and the file left as that writer left it. Retry the write',
      { file, details: { found: found ? 'present' : 'absent' } },
    );
  }

  private async currentToken(file: string, step: string): Promise<VersionToken | undefined> {
    try {
      return tokenOf(await this.parts.fs.lstat(file));
    } catch (err) {
      if (systemErrorCode(err) === 'ENOENT') return undefined;
      throw ioError(step, file, err);
    }
  }
}
