/**
 * The FileSystem port. Every byte prevention reads or writes goes through it, so tests can
 * trace the exact sequence of operations and inject faults (ENOSPC, EIO, short writes, lies
 * on re-read) at any step, and a future store can plug in below the engine.
 */

/** The part of a file's status that prevention relies on. */
export interface FileStats {
  dev: bigint;
  ino: bigint;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
  /** Modification time in nanoseconds, for change detection finer than a millisecond. */
  mtimeNs: bigint;
  /** Status-change time in nanoseconds. */
  ctimeNs: bigint;
  /** Creation time in nanoseconds where the file system records it (0 elsewhere): tells a reused inode apart. */
  birthtimeNs: bigint;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/** Free and total space of the file system holding a path. */
export interface FileSystemSpace {
  totalBytes: number;
  freeBytes: number;
  totalInodes: number;
  freeInodes: number;
}

/** Flags for {@link FileSystem.open}, so callers never need `node:fs` themselves. */
export interface OpenFlags {
  /** O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW: create a new file, fail if anything exists at the path. */
  readonly createExclusive: number;
  /** O_RDONLY|O_NOFOLLOW|O_NONBLOCK (a FIFO opens without waiting, and is then refused). */
  readonly readNoFollow: number;
  /** O_RDWR|O_APPEND|O_CREAT|O_NOFOLLOW: appends, and reads to check how the file ends. */
  readonly append: number;
}

/** Asynchronous file operations, one method per system call that prevention makes. */
export interface FileSystem {
  readonly flags: OpenFlags;
  /** Opens a file and returns its descriptor. */
  open(path: string, flags: number, mode?: number): Promise<number>;
  /** Writes up to `length` bytes; may write fewer (callers loop). Returns the count written. */
  write(fd: number, data: Uint8Array, offset: number, length: number, position: number | null): Promise<number>;
  /** Reads up to `length` bytes into `buffer`; returns the count read (0 at end of file). */
  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<number>;
  /** Flushes the file's data and metadata to stable storage. */
  fsync(fd: number): Promise<void>;
  fstat(fd: number): Promise<FileStats>;
  fchmod(fd: number, mode: number): Promise<void>;
  fchown(fd: number, uid: number, gid: number): Promise<void>;
  close(fd: number): Promise<void>;
  /** Atomically replaces `to` with `from` (same file system). */
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /**
   * Reads a whole file without following a symlink at the final component (ELOOP instead), and
   * without blocking on a FIFO or reading a device (EINVAL for anything but a regular file).
   */
  readFile(path: string): Promise<Buffer>;
  lstat(path: string): Promise<FileStats>;
  stat(path: string): Promise<FileStats>;
  readdir(path: string): Promise<string[]>;
  mkdir(path: string, options?: { recursive?: boolean; mode?: number }): Promise<void>;
  rmdir(path: string): Promise<void>;
  utimes(path: string, atime: Date, mtime: Date): Promise<void>;
  realpath(path: string): Promise<string>;
  /** Flushes a directory's entries (a rename or create inside it) to stable storage. */
  syncDirectory(path: string): Promise<void>;
  /** Space left on the file system holding `path`. */
  space(path: string): Promise<FileSystemSpace>;
  /** Synchronous rmdir, only for releasing locks while the process exits. */
  rmdirSync(path: string): void;
}
