import path from 'node:path';
import { ioError, systemErrorCode } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import type { JsonObject, JsonValue } from '../json/json-value.js';

const ARCHIVE_SUFFIX = '.archive.jsonl';

/** The archive of `file`: JSON Lines beside it, `shared_context.json` → `shared_context.archive.jsonl`. */
export function archivePathFor(file: string): string {
  const ext = path.extname(file);
  return path.join(path.dirname(file), `${path.basename(file, ext)}${ARCHIVE_SUFFIX}`);
}

/** True when `name` is a bus archive's file name (JSON Lines, appended to by the bus, never a document). */
export function isArchiveName(name: string): boolean {
  return name.endsWith(ARCHIVE_SUFFIX);
}

/**
 * Where events go before they leave the live file: one stored event per line, each with its
 * `seq`. Appends are written whole and fsynced before the live file drops the events, so
 * nothing is ever in neither place. A crash mid-append can only leave a torn last line; it is
 * fenced off by the next append and skipped by readers, and its events are still live. An
 * event that is archived twice (a commit that failed after archiving) is read once, by `seq`.
 */
export class EventArchive {
  constructor(
    private readonly fs: FileSystem,
    readonly path: string,
  ) {}

  /** Appends events durably. */
  async append(events: readonly JsonObject[], mode: number): Promise<void> {
    if (events.length === 0) return;
    const { fs } = this;
    let created = false;
    let fd: number;
    try {
      fd = await fs.open(this.path, fs.flags.append, mode);
    } catch (err) {
      throw ioError('opening the event archive', this.path, err);
    }
    try {
      const { size } = await fs.fstat(fd);
      created = size === 0;
      let prefix = '';
      if (size > 0) {
        const last = new Uint8Array(1);
        await fs.read(fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      const bytes = Buffer.from(prefix + events.map((e) => `${JSON.stringify(e)}\n`).join(''), 'utf8');
      let offset = 0;
      while (offset < bytes.length) offset += await fs.write(fd, bytes, offset, bytes.length - offset, null);
      await fs.fsync(fd);
    } catch (err) {
      throw ioError('appending to the event archive', this.path, err);
    } finally {
      await fs.close(fd).catch(() => undefined);
    }
    if (created) {
      try {
        await fs.syncDirectory(path.dirname(this.path));
      } catch (err) {
        throw ioError('fsync of the event archive directory', this.path, err);
      }
    }
  }

  /** Archived events with `after < seq < before`, in `seq` order, each once. */
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
      if (typeof seq !== 'number' || seq <= after || seq >= before || bySeq.has(seq)) continue;
      bySeq.set(seq, raw);
    }
    return [...bySeq].sort((a, b) => a[0] - b[0]).map(([seq, raw]) => ({ raw, seq }));
  }
}
