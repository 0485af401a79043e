import path from 'node:path';
import { journalPathFor } from '../store/file-layout.js';
import type { FileSystem, CommitRecord } from '../contract.js';
import { systemErrorCode } from '../errors.js';
import { atomicWriteFile } from './atomic-write.js';

/** Past this size the journal is compacted to its last record. */
const COMPACT_AT = 64 * 1024;

/**
 * Records every verified commit, one JSON line each, so that another process (the monitor)
 * can tell a commit made through prevention from a change made behind its back. It is a
 * witness, not data: appended without fsync (a record lost to a power cut costs one false
 * "modified" report, which the backups then confirm or refute) and written under the file's
 * lock, so its last line always describes the file's current version.
 */
export class CommitJournal {
  private readonly readyDirs = new Set<string>();

  constructor(private readonly fs: FileSystem) {}

  /** Appends the record of a verified commit: its sha256, size, mode and inode. */
  async record(file: string, commit: Pick<CommitRecord, 'sha256' | 'size' | 'mode' | 'ino'>): Promise<void> {
    const journal = journalPathFor(file);
    const dir = path.dirname(journal);
    if (!this.readyDirs.has(dir)) {
      await this.fs.mkdir(dir, { recursive: true, mode: 0o755 });
      this.readyDirs.add(dir);
    }
    const record: CommitRecord = { ...commit, at: new Date().toISOString(), pid: process.pid };
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    // It names the file's content (sha256, size): no more readable than the file itself.
    const mode = commit.mode & 0o666;
    const fd = await this.fs.open(journal, this.fs.flags.append, mode);
    let size: number;
    try {
      let offset = 0;
      while (offset < line.length) offset += await this.fs.write(fd, line, offset, line.length - offset, null);
      const stats = await this.fs.fstat(fd);
      size = stats.size;
      // A journal made wider before (by an older version, or before the file was narrowed): its
      // earlier lines were as readable already, so narrowing it after this one is as good.
      if ((stats.mode & ~mode & 0o777) !== 0) await this.fs.fchmod(fd, mode);
    } finally {
      await this.fs.close(fd);
    }
    if (size > COMPACT_AT) await atomicWriteFile(this.fs, journal, line, { mode, label: 'compacting the commit journal' });
  }
}

/** How much of the journal's end {@link readLastCommit} reads: a record is about 200 bytes. */
const TAIL_BYTES = 4096;

/**
 * The newest commit recorded for `file`, if any. Only the journal's tail is read: writers and
 * readers in other processes ask on every version they did not commit themselves.
 */
export async function readLastCommit(fs: FileSystem, file: string): Promise<CommitRecord | undefined> {
  let fd: number;
  try {
    fd = await fs.open(journalPathFor(file), fs.flags.readNoFollow);
  } catch (err) {
    if (systemErrorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  let text: string;
  try {
    const stats = await fs.fstat(fd);
    // Opened without blocking, a FIFO planted at the journal's name would read as empty.
    if (!stats.isFile()) throw Object.assign(new Error(`EINVAL: not a regular file, read '${journalPathFor(file)}'`), { code: 'EINVAL' });
    const { size } = stats;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const n = await fs.read(fd, buffer, read, length - read, size - length + read);
      if (n === 0) break;
      read += n;
    }
    text = buffer.subarray(0, read).toString('utf8');
  } finally {
    await fs.close(fd);
  }
  // The tail may start mid-record: only lines after its first newline are whole, unless it is the whole journal.
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      if (lines[i]) return JSON.parse(lines[i]!) as CommitRecord;
    } catch {
      // A torn last line from a crash (or the cut first line of the tail): the one before it is the last complete record.
    }
  }
  return undefined;
}
