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

const flags: OpenFlags = {
  createExclusive: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW,
  // O_NONBLOCK: opening a FIFO planted where a file is expected must not wait for a writer.
  // It changes nothing for regular files.
  readNoFollow: O_RDONLY | O_NOFOLLOW | O_NONBLOCK,
  // O_NOFOLLOW: a symlink planted at an append-only file's name must not redirect the appends.
  append: O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW,
  writeExisting: O_WRONLY | O_NOFOLLOW,
};

/** The default {@link FileSystem}: node:fs, one system call per method. */
export class NodeFileSystem implements FileSystem {
  readonly flags = flags;

  open(path: string, openFlags: number, mode = 0o666): Promise<number> {
    return call((cb) => fs.open(path, openFlags, mode, cb));
  }

  write(fd: number, data: Uint8Array, offset: number, length: number, position: number | null): Promise<number> {
    return call((cb) => fs.write(fd, data, offset, length, position, (err, written) => cb(err, written)));
  }

  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<number> {
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

  async fstat(fd: number): Promise<FileStats> {
    return toStats(await call<fs.BigIntStats>((cb) => fs.fstat(fd, { bigint: true }, cb)));
  }

  fchmod(fd: number, mode: number): Promise<void> {
    return call((cb) => fs.fchmod(fd, mode, (err) => cb(err, undefined)));
  }

  fchown(fd: number, uid: number, gid: number): Promise<void> {
    return call((cb) => fs.fchown(fd, uid, gid, (err) => cb(err, undefined)));
  }

  close(fd: number): Promise<void> {
    return call((cb) => fs.close(fd, (err) => cb(err, undefined)));
  }

  rename(from: string, to: string): Promise<void> {
    return call((cb) => fs.rename(from, to, (err) => cb(err, undefined)));
  }

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

  async lstat(path: string): Promise<FileStats> {
    return toStats(await call<fs.BigIntStats>((cb) => fs.lstat(path, { bigint: true }, cb)));
  }

  async stat(path: string): Promise<FileStats> {
    return toStats(await call<fs.BigIntStats>((cb) => fs.stat(path, { bigint: true }, cb)));
  }

  readdir(path: string): Promise<string[]> {
    return call((cb) => fs.readdir(path, cb));
  }

  mkdir(path: string, options: { recursive?: boolean; mode?: number } = {}): Promise<void> {
    return call((cb) => fs.mkdir(path, options, (err) => cb(err, undefined)));
  }

  rmdir(path: string): Promise<void> {
    return call((cb) => fs.rmdir(path, (err) => cb(err, undefined)));
  }

  utimes(path: string, atime: Date, mtime: Date): Promise<void> {
    return call((cb) => fs.utimes(path, atime, mtime, (err) => cb(err, undefined)));
  }

  realpath(path: string): Promise<string> {
    return call((cb) => fs.realpath(path, cb));
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
