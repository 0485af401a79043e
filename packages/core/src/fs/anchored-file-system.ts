import path from 'node:path';
import type { FileStats, FileSystem, FileSystemSpace, OpenFlags } from '../contract.js';
import { ErrorCodes, PreventionError, systemErrorCode } from '../errors.js';

/** Fixing the directories prevention works in, so a symbolic link planted later is never followed. */
export interface PathAnchors {
  /**
   * Takes `dir` as it is now (links in its path included) as where its files live. A directory
   * below one anchored earlier is checked instead: a link that appeared in it since is refused.
   */
  anchor(dir: string): Promise<void>;
  /** Refuses (`PREVENTION_UNSAFE_PATH`) when `dir` is reached through a link planted since its anchor was taken. */
  check(dir: string): Promise<void>;
}

/** What {@link AnchoredFileSystem} reports when it refuses a redirected directory. */
export interface RedirectedPath {
  /** The directory, as prevention names it. */
  path: string;
  /** Where it leads now. */
  leadsTo: string;
  /** Where it led when it was anchored (for a directory below an anchor, where it should lead). */
  expected: string;
  error: PreventionError;
}

interface DirectoryId {
  dev: bigint;
  ino: bigint;
}

interface Anchor {
  /** The directory's real path when it was anchored. */
  real: string;
  /** The directory's identity when last seen where it should be; undefined while it does not exist. */
  id: DirectoryId | undefined;
}

const idOf = (stats: FileStats): DirectoryId => ({ dev: stats.dev, ino: stats.ino });
const same = (stats: FileStats | undefined, id: DirectoryId | undefined): boolean => !!stats && !!id && stats.dev === id.dev && stats.ino === id.ino;

/**
 * The FileSystem port with every directory prevention works in held to where it was at
 * start-up: an operation that would create, replace, remove or read a file (open, readFile,
 * rename, unlink, mkdir) in a directory that
 * a symbolic link redirected since (the directory itself, one of its parents, or a folder inside
 * prevention's own) is refused with `PREVENTION_UNSAFE_PATH`, and nothing is written there.
 *
 * The check costs one `stat` of the directory while it is the same directory (same device and
 * inode) it was; only a change is looked at closer, so a directory removed and made again in
 * place, or a link that leads to the very same directory, is accepted. The check and the
 * operation are two system calls apart: what it shuts out is a link that is in place before an
 * operation starts, not one swapped in during that microsecond. Paths outside every anchor pass
 * through unchecked.
 */
export class AnchoredFileSystem implements FileSystem, PathAnchors {
  readonly flags: OpenFlags;
  private readonly anchors = new Map<string, Promise<Anchor>>();
  /** Directories below an anchor, each with its identity when last seen as a real directory. */
  private readonly seen = new Map<string, DirectoryId>();

  constructor(
    private readonly inner: FileSystem,
    private readonly onRedirected: (redirect: RedirectedPath) => void = () => {},
  ) {
    this.flags = inner.flags;
  }

  async anchor(dir: string): Promise<void> {
    if (this.anchors.has(dir)) return;
    if (this.anchorOf(dir) !== undefined) return this.check(dir);
    const anchor = (async (): Promise<Anchor> => ({ real: await this.realOf(dir), id: await this.directoryId(dir) }))();
    this.anchors.set(dir, anchor);
    anchor.catch(() => this.anchors.delete(dir));
    await anchor;
  }

  async open(file: string, flags: number, mode?: number): Promise<number> {
    await this.check(path.dirname(file));
    return this.inner.open(file, flags, mode);
  }

  async readFile(file: string): Promise<Buffer> {
    await this.check(path.dirname(file));
    return this.inner.readFile(file);
  }

  async rename(from: string, to: string): Promise<void> {
    await this.check(path.dirname(from));
    if (path.dirname(to) !== path.dirname(from)) await this.check(path.dirname(to));
    return this.inner.rename(from, to);
  }

  async cloneFile(from: string, to: string): Promise<void> {
    await this.check(path.dirname(from));
    if (path.dirname(to) !== path.dirname(from)) await this.check(path.dirname(to));
    return this.inner.cloneFile(from, to);
  }

  async link(existing: string, to: string): Promise<void> {
    await this.check(path.dirname(existing));
    if (path.dirname(to) !== path.dirname(existing)) await this.check(path.dirname(to));
    return this.inner.link(existing, to);
  }

  async unlink(file: string): Promise<void> {
    await this.check(path.dirname(file));
    return this.inner.unlink(file);
  }

  async mkdir(dir: string, options?: { recursive?: boolean; mode?: number }): Promise<void> {
    await this.check(path.dirname(dir));
    return this.inner.mkdir(dir, options);
  }

  // Status, listings, descriptors and flushes write nothing at a path, and what they tell leads
  // to no read or write that is not checked itself: they pass through. So do a lock's refresh
  // (utimes) and release (rmdir), which touch only the lock directory its checked mkdir made.
  readdir(dir: string): Promise<string[]> {
    return this.inner.readdir(dir);
  }
  rmdir(dir: string): Promise<void> {
    return this.inner.rmdir(dir);
  }
  utimes(file: string, atime: Date, mtime: Date): Promise<void> {
    return this.inner.utimes(file, atime, mtime);
  }
  write(fd: number, data: Uint8Array, offset: number, length: number, position: number | null): Promise<number> {
    return this.inner.write(fd, data, offset, length, position);
  }
  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<number> {
    return this.inner.read(fd, buffer, offset, length, position);
  }
  fsync(fd: number): Promise<void> {
    return this.inner.fsync(fd);
  }
  ftruncate(fd: number, length: number): Promise<void> {
    return this.inner.ftruncate(fd, length);
  }
  fstat(fd: number): Promise<FileStats> {
    return this.inner.fstat(fd);
  }
  fchmod(fd: number, mode: number): Promise<void> {
    return this.inner.fchmod(fd, mode);
  }
  fchown(fd: number, uid: number, gid: number): Promise<void> {
    return this.inner.fchown(fd, uid, gid);
  }
  close(fd: number): Promise<void> {
    return this.inner.close(fd);
  }
  lstat(file: string): Promise<FileStats> {
    return this.inner.lstat(file);
  }
  stat(file: string): Promise<FileStats> {
    return this.inner.stat(file);
  }
  realpath(file: string): Promise<string> {
    return this.inner.realpath(file);
  }
  syncDirectory(dir: string): Promise<void> {
    return this.inner.syncDirectory(dir);
  }
  space(file: string): Promise<FileSystemSpace> {
    return this.inner.space(file);
  }
  // Only for releasing a lock while the process exits, when no check can be awaited; removing
  // an empty lock directory is all it can do.
  rmdirSync(dir: string): void {
    this.inner.rmdirSync(dir);
  }
  // Only a hint to look again; every look goes through the checked calls above.
  watchDirectory(dir: string, onChange: (name: string | undefined) => void): () => void {
    return this.inner.watchDirectory(dir, onChange);
  }

  /** The nearest anchor at or above `dir`. */
  private anchorOf(dir: string): string | undefined {
    for (let at = dir; ; at = path.dirname(at)) {
      if (this.anchors.has(at)) return at;
      if (path.dirname(at) === at) return undefined;
    }
  }

  async check(dir: string): Promise<void> {
    const top = this.anchorOf(dir);
    if (top === undefined) return;
    const anchor = await this.anchors.get(top)!;
    if (dir === top) return this.verifyAnchor(dir, anchor);
    const known = this.seen.get(dir);
    if (known && same(await this.statOrUndefined(dir), known)) return;
    await this.check(path.dirname(dir));
    const stats = await this.lstatOrUndefined(dir);
    if (stats?.isSymbolicLink()) {
      const real = path.join(anchor.real, path.relative(top, dir));
      throw this.redirected(dir, await this.realOf(dir), real);
    }
    if (stats?.isDirectory()) this.seen.set(dir, idOf(stats));
    else this.seen.delete(dir);
  }

  private async verifyAnchor(dir: string, anchor: Anchor): Promise<void> {
    const stats = await this.statOrUndefined(dir);
    if (same(stats, anchor.id)) return;
    // An anchor inside another (a state folder inside a data directory): name the outermost link.
    if (this.anchorOf(path.dirname(dir)) !== undefined) await this.check(path.dirname(dir));
    const real = await this.realOf(dir);
    // A dangling link resolves no further than its own name: ask what is there.
    const dangling = !stats && (await this.lstatOrUndefined(dir))?.isSymbolicLink();
    if (real !== anchor.real || dangling) throw this.redirected(dir, real, anchor.real);
    anchor.id = stats?.isDirectory() ? idOf(stats) : undefined;
  }

  private redirected(dir: string, leadsTo: string, expected: string): PreventionError {
    const error = new PreventionError(
      ErrorCodes.UNSAFE_PATH,
      `${dir} is reached through a symbolic link that appeared after prevention started (it leads to ${leadsTo}, not ${expected}); prevention refuses to follow it`,
      { file: dir, details: { reason: 'redirected', leadsTo, expected } },
    );
    this.onRedirected({ path: dir, leadsTo, expected, error });
    return error;
  }

  /** The real path of `dir`, or of its nearest existing parent with the rest of the path appended. */
  private async realOf(dir: string): Promise<string> {
    try {
      return await this.inner.realpath(dir);
    } catch (err) {
      const parent = path.dirname(dir);
      if (systemErrorCode(err) !== 'ENOENT' || parent === dir) throw err;
      return path.join(await this.realOf(parent), path.basename(dir));
    }
  }

  private async directoryId(dir: string): Promise<DirectoryId | undefined> {
    const stats = await this.statOrUndefined(dir);
    return stats?.isDirectory() ? idOf(stats) : undefined;
  }

  private statOrUndefined(file: string): Promise<FileStats | undefined> {
    return this.inner.stat(file).catch(() => undefined);
  }

  private lstatOrUndefined(file: string): Promise<FileStats | undefined> {
    return this.inner.lstat(file).catch(() => undefined);
  }
}
