import path from 'node:path';
import type { ArchiveInspection, ArchiveRepair, FileSystem, JsonObject, JsonValue } from '../contract.js';
import { atomicWriteFile } from '../commit/atomic-write.js';
import { ErrorCodes, ioError, PreventionError, systemErrorCode } from '../errors.js';
import { inspectArchive, quarantineArchiveBytes, repairArchive } from './archive-integrity.js';
import type { BusArchive } from './bus-archive.js';
import { committedTail, EMPTY_LEDGER, extendLedger, mirrorPathFor, readLedger, splitLines, writeLedger, type ArchiveLedger, type ArchiveLine } from './archive-ledger.js';


/**
 * Where events go before they leave the live file: one stored event per line, each with its
 * `seq`, and a copy of every line in prevention's state directory ({@link mirrorPathFor}) that
 * repairs it. Appends are written whole and fsynced before the commit that drops the events,
 * so nothing is ever in neither place (the copy is not fsynced: what a power loss takes from
 * it, the next reconcile puts back from the archive); the ledger records how much of the
 * archive belongs to committed versions, so a changed or missing line is found.
 *
 * A commit can still fail after its append (a refusal, a full disk, a crash), leaving lines of
 * events that were never acknowledged. Such lines always carry a seq at or past the oldest seq
 * of the committed live file, which is what readers stop at, and the next writer removes them
 * ({@link reconcile}) before it appends: the archive only keeps lines of committed versions.
 */
export class EventArchive implements BusArchive {
  readonly mirrorPath: string;

  constructor(
    private readonly fs: FileSystem,
    readonly path: string,
  ) {
    this.mirrorPath = mirrorPathFor(path);
  }

  get location(): string {
    return this.path;
  }

  /**
   * Makes the archive and its copy hold exactly the lines of committed versions, and records
   * them in the ledger. `boundary` is the seq of the oldest event in the committed live file.
   * Call it holding the file's lock, before appending. Returns the last seq archived (0 for
   * none).
   */
  async reconcile(boundary: number, mode: number): Promise<number> {
    let look = await this.look(boundary);
    if (look.damaged) {
      // Appending to a damaged archive would bury the damage: put it back from its copy first.
      const repair = await repairArchive(this.fs, this.path, boundary, mode);
      if (!repair.repaired) throw archiveDamaged(this.path, repair.problem ?? 'it does not match its ledger');
      look = await this.look(boundary);
    }
    const { ledger, tail, kept } = look;
    if (tail === undefined) return ledger.lastSeq;
    const keptBytes = kept.reduce((n, line) => n + line.bytes, 0);
    const keptText = Buffer.from(tail.subarray(0, keptBytes));
    if (keptBytes < tail.length) {
      // Judged by the live file, these lines are of a commit that did not happen; after a restore
      // of an older version they may be of one it undid. Either way they are kept aside.
      await quarantineArchiveBytes(this.fs, this.path, tail.subarray(keptBytes), 'uncommitted');
      await this.cut(this.path, ledger.bytes, keptText, mode);
    }
    const mirrored = await this.readFrom(this.mirrorPath, ledger.bytes);
    if (mirrored === undefined || !keptText.equals(mirrored)) {
      // The copy missed (or has more than) what was committed: a crash between the two appends.
      await this.cut(this.mirrorPath, ledger.bytes, keptText, mode, this.path);
    }
    const recorded = extendLedger(ledger, kept);
    if (kept.length > 0) await writeLedger(this.fs, this.path, recorded, mode);
    return recorded.lastSeq;
  }

  /**
   * The archive past its ledger, and whether it is plainly damaged: missing or shorter than
   * recorded, or holding a line of a committed seq out of order. (Proving the recorded prefix
   * unchanged reads the whole archive; that is {@link inspectArchive}'s job, not every commit's.)
   */
  private async look(boundary: number): Promise<{ ledger: ArchiveLedger; tail: Buffer | undefined; kept: ArchiveLine[]; damaged: boolean }> {
    const recorded = await readLedger(this.fs, this.path);
    const ledger = recorded ?? EMPTY_LEDGER;
    const tail = await this.readFrom(this.path, ledger.bytes);
    if (tail === undefined) return { ledger, tail, kept: [], damaged: ledger.bytes > 0 };
    const { kept, stray } = committedTail(splitLines(tail), ledger.lastSeq, boundary, recorded !== undefined);
    return { ledger, tail, kept, damaged: stray !== undefined || (await this.sizeOf(this.path)) < ledger.bytes };
  }

  /**
   * Checks the archive as append-only data: its committed lines unchanged since the ledger
   * recorded them, none missing up to `boundary`, and its copy agreeing.
   */
  inspect(boundary: () => Promise<number>): Promise<ArchiveInspection> {
    return inspectArchive(this.fs, this.path, boundary);
  }

  /** Puts a damaged archive back from its copy; the damaged bytes are quarantined. */
  repair(boundary: number, mode: number): Promise<ArchiveRepair> {
    return repairArchive(this.fs, this.path, boundary, mode);
  }

  /** Appends events durably, to the archive and then to its copy. */
  async append(events: readonly JsonObject[], mode: number): Promise<void> {
    if (events.length === 0) return;
    const lines = events.map((e) => `${JSON.stringify(e)}\n`).join('');
    await appendLines(this.fs, this.path, lines, mode);
    await this.ensureDirectoryOf(this.mirrorPath);
    // The copy need not be durable: after a power loss, the next reconcile rebuilds it from the archive.
    await appendLines(this.fs, this.mirrorPath, lines, mode, false);
  }

  /**
   * Archived events with `after < seq < before`, in `seq` order, each once. Archives written
   * before uncommitted lines were cut off can hold a seq twice; the later line is the committed
   * one (the failed commit's line always came first).
   */
  async read(after: number, before = Infinity): Promise<Array<{ raw: JsonValue; seq: number }>> {
    let text: string;
    try {
      text = (await this.fs.readFile(this.path)).toString('utf8');
    } catch (err) {
      if (systemErrorCode(err) === 'ENOENT') return [];
      throw ioError('reading the event archive', this.path, err);
    }
    const bySeq = new Map<number, JsonValue>();
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      let raw: JsonValue;
      try {
        raw = JSON.parse(line) as JsonValue;
      } catch {
        continue; // a torn line from a crashed append; its events were still in the live file
      }
      const seq = raw && typeof raw === 'object' && !Array.isArray(raw) ? raw.seq : undefined;
      if (typeof seq !== 'number' || seq <= after || seq >= before) continue;
      bySeq.set(seq, raw);
    }
    return [...bySeq].sort((a, b) => a[0] - b[0]).map(([seq, raw]) => ({ raw, seq }));
  }

  /** The bytes of `file` from `offset` on; `undefined` when it does not exist. */
  private async readFrom(file: string, offset: number): Promise<Buffer | undefined> {
    let bytes: Buffer;
    try {
      // Tails are one batch long: read only them, whatever the archive's size.
      const fd = await this.fs.open(file, this.fs.flags.readNoFollow);
      try {
        const { size } = await this.fs.fstat(fd);
        bytes = Buffer.alloc(Math.max(0, size - offset));
        let read = 0;
        while (read < bytes.length) {
          const n = await this.fs.read(fd, bytes, read, bytes.length - read, offset + read);
          if (n <= 0) break;
          read += n;
        }
        bytes = bytes.subarray(0, read);
      } finally {
        await this.fs.close(fd).catch(() => undefined);
      }
    } catch (err) {
      if (systemErrorCode(err) === 'ENOENT') return undefined;
      throw ioError('reading the event archive', file, err);
    }
    return bytes;
  }

  /** The copy lives in the state directory, which a file from an older bus may not have yet. */
  private async ensureDirectoryOf(file: string): Promise<void> {
    try {
      await this.fs.mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
    } catch (err) {
      throw ioError('creating the state directory', this.path, err);
    }
  }

  private async sizeOf(file: string): Promise<number> {
    try {
      return (await this.fs.stat(file)).size;
    } catch (err) {
      throw ioError('reading the event archive', file, err);
    }
  }

  /**
   * Replaces `file` by its first `length` bytes (taken from `source`) followed by `tail`,
   * atomically: a crash leaves either version whole.
   */
  private async cut(file: string, length: number, tail: Buffer, mode: number, source = file): Promise<void> {
    let prefix: Buffer;
    try {
      prefix = length === 0 ? Buffer.alloc(0) : (await this.fs.readFile(source)).subarray(0, length);
    } catch (err) {
      throw ioError('reading the event archive', source, err);
    }
    if (prefix.length < length) throw archiveDamaged(source, `it is shorter than the ${length} bytes recorded as committed`);
    await this.ensureDirectoryOf(file);
    await atomicWriteFile(this.fs, file, Buffer.concat([prefix, tail]), { mode, label: 'removing uncommitted lines from the event archive' });
  }
}

/** Appends `text` to `file` and, when `durable`, makes it durable (the directory too, when the file is new). */
async function appendLines(fs: FileSystem, file: string, text: string, mode: number, durable = true): Promise<void> {
  let created = false;
  let fd: number;
  try {
    fd = await fs.open(file, fs.flags.append, mode);
  } catch (err) {
    throw ioError('opening the event archive', file, err);
  }
  try {
    const { size } = await fs.fstat(fd);
    created = size === 0;
    let prefix = '';
    if (size > 0) {
      // A torn last line (a crash mid-append) is fenced off so the new lines stay whole.
      const last = new Uint8Array(1);
      await fs.read(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    const bytes = Buffer.from(prefix + text, 'utf8');
    let offset = 0;
    while (offset < bytes.length) offset += await fs.write(fd, bytes, offset, bytes.length - offset, null);
    if (durable) await fs.fsync(fd);
  } catch (err) {
    throw ioError('appending to the event archive', file, err);
  } finally {
    await fs.close(fd).catch(() => undefined);
  }
  if (created && durable) {
    try {
      await fs.syncDirectory(path.dirname(file));
    } catch (err) {
      throw ioError('fsync of the event archive directory', file, err);
    }
  }
}

function archiveDamaged(file: string, why: string): PreventionError {
  return new PreventionError(
    ErrorCodes.CORRUPT_DOCUMENT,
    `the event archive ${file} is damaged: ${why}. Nothing was appended to it; repair it with prevention restore or the monitor`,
    { file, details: { reason: 'archive-damaged' } },
  );
}
