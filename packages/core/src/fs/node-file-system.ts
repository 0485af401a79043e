import type { FileStats, FileSystem, FileSystemSpace, OpenFlags } from '../contract.js';
import fs from 'node:fs';

const { O_WRONLY, O_RDONLY, O_RDWR, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_APPEND, O_DIRECTORY } = fs.constants;

function toStats(s: fs.BigIntStats): FileStats {
  return {
    dev: s.dev,
    ino: s.ino,
    mode: Number(s.mode),
    nlink: Number(s.nlink),
    uid: Number(s.uid),
    gid: Number(s.gid),
    size: Number(s.size),
    mtimeMs: Number(s.mtimeMs),
    mtimeNs: s.mtimeNs,
    ctimeNs: s.ctimeNs,
    birthtimeNs: s.birthtimeNs,
    isFile: () => s.isFile(),
    isDirectory: () => s.isDirectory(),
    isSymbolicLink: () => s.isSymbolicLink(),
  };
}

// The callback API is used instead of fs.promises: it avoids a FileHandle object per open,
// which matters on the commit path, and keeps descriptors as plain numbers the port can trace.
function call<T>(fn: (cb: (err: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    fn((err, value) => (err ? reject(err) : resolve(value)));
  });
}

// A call that only touches the kernel's in-memory state (a name, an inode, a few pages of the
// page cache) takes 2–10 µs, while its round trip through libuv's thread pool takes 30–200 µs:
// a commit makes some thirty of them, one after the other, so the hops cost more than the
// fsyncs. Such calls run inline and settle a promise, keeping the port asynchronous (a
// failure rejects, never throws). A call that waits on the device by design (fsync), or whose
// cost grows with the data (reads and writes past INLINE_BYTES, a directory listing, a clone),
// goes to the pool, so the event loop is held up for memory copies, not for the disk.
//
// Inline calls never leave the microtask queue, so a loop made only of them (a reader polling
// a document as fast as it can) would starve timers and I/O callbacks, another commit's fsync
// among them. After INLINE_PER_TURN of them in one turn of the event loop, the next waits for
// the following turn.
const INLINE_PER_TURN = 64;
let inlineThisTurn = 0;
const newTurn = (): void => {
  inlineThisTurn = 0;
};

function inline<T>(fn: () => T): Promise<T> {
  if (inlineThisTurn === 0) setImmediate(newTurn);
  if (++inlineThisTurn > INLINE_PER_TURN) return new Promise<void>((resolve) => setImmediate(resolve)).then(fn);
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err as Error);
  }
}

// Copying 1 MiB between a buffer and the page cache costs about what the round trip to the
// pool costs (100–250 µs here); a larger read or write goes to the pool.
const INLINE_BYTES = 1024 * 1024;

const flags: OpenFlags = {
  createExclusive: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW,
  // O_NONBLOCK: opening a FIFO planted where a file is expected must not wait for a writer.
  // It changes nothing for regular files.
  readNoFollow: O_RDONLY | O_NOFOLLOW | O_NONBLOCK,
  // O_NOFOLLOW: a symlink planted at an append-only file's name must not redirect the appends.
  append: O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW,
  writeExisting: O_WRONLY | O_NOFOLLOW,
};

/**
 * The default {@link FileSystem}: node:fs, one system call per method. Calls that only touch
 * in-memory kernel state run inline (see `inline` above); on a mount that can hang (a network
 * file system whose server is gone) they block the event loop rather than a pool thread, and
 * a port of one's own that sends every call to the pool can be passed as `fileSystem`.
 */
export class NodeFileSystem implements FileSystem {
  readonly flags = flags;

  open(path: string, openFlags: number, mode = 0o666): Promise<number> {
    return inline(() => fs.openSync(path, openFlags, mode));
  }

  write(fd: number, data: Uint8Array, offset: number, length: number, position: number | null): Promise<number> {
    if (length <= INLINE_BYTES) return inline(() => fs.writeSync(fd, data, offset, length, position));
    return call((cb) => fs.write(fd, data, offset, length, position, (err, written) => cb(err, written)));
  }

  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<number> {
    if (length <= INLINE_BYTES) return inline(() => fs.readSync(fd, buffer, offset, length, position));
    return call((cb) => fs.read(fd, buffer, offset, length, position, (err, read) => cb(err, read)));
  }

  fsync(fd: number): Promise<void> {
    return call((cb) => fs.fsync(fd, (err) => cb(err, undefined)));
  }

  ftruncate(fd: number, length: number): Promise<void> {
    return call((cb) => fs.ftruncate(fd, length, (err) => cb(err, undefined)));
  }

  async cloneFile(from: string, to: string): Promise<void> {
    // copyFile opens its source by path and follows a symbolic link there. The source is opened
    // here without following one, and on Linux cloned through the descriptor's /proc entry, which
    // names that very inode whatever is renamed or planted at the path meanwhile.
    const fd = await this.open(from, flags.readNoFollow);
    try {
      if (!(await this.fstat(fd)).isFile()) throw Object.assign(new Error(`EINVAL: not a regular file, clone '${from}'`), { code: 'EINVAL', syscall: 'clone', path: from });
      const source = process.platform === 'linux' ? `/proc/self/fd/${fd}` : from;
      // FICLONE_FORCE: fail where the file system cannot clone, rather than copy every byte.
      await call((cb) => fs.copyFile(source, to, fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE_FORCE, (err) => cb(err, undefined)));
    } finally {
      await this.close(fd).catch(() => undefined);
    }
  }

  fstat(fd: number): Promise<FileStats> {
    return inline(() => toStats(fs.fstatSync(fd, { bigint: true })));
  }

  fchmod(fd: number, mode: number): Promise<void> {
    return inline(() => fs.fchmodSync(fd, mode));
  }

  fchown(fd: number, uid: number, gid: number): Promise<void> {
    return inline(() => fs.fchownSync(fd, uid, gid));
  }

  close(fd: number): Promise<void> {
    return inline(() => fs.closeSync(fd));
  }

  rename(from: string, to: string): Promise<void> {
    return inline(() => fs.renameSync(from, to));
  }

  link(existing: string, to: string): Promise<void> {
    return inline(() => fs.linkSync(existing, to));
  }

  // Not inline: removing a file's last name frees its blocks, work that grows with the file
  // (a third of a millisecond for 400 kB on ext4).
  unlink(path: string): Promise<void> {
    return call((cb) => fs.unlink(path, (err) => cb(err, undefined)));
  }

  async readFile(path: string): Promise<Buffer> {
    const fd = await this.open(path, flags.readNoFollow);
    try {
      const stats = await this.fstat(fd);
      if (!stats.isFile()) throw Object.assign(new Error(`EINVAL: not a regular file, read '${path}'`), { code: 'EINVAL', syscall: 'read', path });
      const { size } = stats;
      // Read to end of file rather than trusting size: the file may grow while being read. One
      // byte of room past the size lets the read that finds the end do so without growing (and
      // copying) the whole buffer: this read is on every commit's verify step.
      let buffer = Buffer.allocUnsafe(Math.max(size + 1, 4096));
      let length = 0;
      for (;;) {
        if (length === buffer.length) {
          const bigger = Buffer.allocUnsafe(buffer.length * 2);
          buffer.copy(bigger, 0, 0, length);
          buffer = bigger;
        }
        const n = await this.read(fd, buffer, length, buffer.length - length, null);
        if (n === 0) break;
        length += n;
      }
      return buffer.subarray(0, length);
    } finally {
      await this.close(fd);
    }
  }

  lstat(path: string): Promise<FileStats> {
    return inline(() => toStats(fs.lstatSync(path, { bigint: true })));
  }

  stat(path: string): Promise<FileStats> {
    return inline(() => toStats(fs.statSync(path, { bigint: true })));
  }

  readdir(path: string): Promise<string[]> {
    return call((cb) => fs.readdir(path, cb));
  }

  mkdir(path: string, options: { recursive?: boolean; mode?: number } = {}): Promise<void> {
    return inline(() => {
      fs.mkdirSync(path, options);
    });
  }

  rmdir(path: string): Promise<void> {
    return inline(() => fs.rmdirSync(path));
  }

  utimes(path: string, atime: Date, mtime: Date): Promise<void> {
    return inline(() => fs.utimesSync(path, atime, mtime));
  }

  realpath(path: string): Promise<string> {
    return inline(() => fs.realpathSync(path));
  }

  async syncDirectory(path: string): Promise<void> {
    const fd = await this.open(path, O_RDONLY | O_DIRECTORY);
    try {
      await this.fsync(fd);
    } finally {
      await this.close(fd);
    }
  }

  async space(path: string): Promise<FileSystemSpace> {
    const s = await call<fs.StatsFs>((cb) => fs.statfs(path, cb));
    return {
      totalBytes: s.blocks * s.bsize,
      freeBytes: s.bavail * s.bsize,
      totalInodes: s.files,
      freeInodes: s.ffree,
    };
  }

  rmdirSync(path: string): void {
    fs.rmdirSync(path);
  }

  watchDirectory(path: string, onChange: (name: string | undefined) => void): () => void {
    const watcher = fs.watch(path, { persistent: false }, (_event, name) => onChange(name ?? undefined));
    // A watch that fails later (the directory removed) only stops hinting; callers also poll.
    watcher.on('error', () => undefined);
    return () => watcher.close();
  }
}
