import { createHash } from 'node:crypto';
import path from 'node:path';
import { stateDirFor } from '../store/file-layout.js';
import type { FileSystem } from '../contract.js';
import { atomicWriteFile } from '../commit/atomic-write.js';
import { ioError, systemErrorCode } from '../errors.js';

/**
 * What prevention knows the archive held at its last reconciliation: the length of its
 * committed prefix, how many lines that is, the last seq among them, and a hash chained over
 * those lines. The archive is append-only, so a later look can prove the prefix unchanged
 * (same chain over the first `bytes`) and tell damage from lines merely not yet recorded.
 */
export interface ArchiveLedger {
  bytes: number;
  lines: number;
  lastSeq: number;
  /** sha256 (hex) chained line by line: `sha256(previous + line)`, empty for no line. */
  chain: string;
}

/** The ledger of an archive that holds nothing yet. */
export const EMPTY_LEDGER: ArchiveLedger = { bytes: 0, lines: 0, lastSeq: 0, chain: '' };

/** Where the ledger of `archive` is kept: prevention's state directory beside it. */
export function ledgerPathFor(archive: string): string {
  return path.join(stateDirFor(archive), `${path.basename(archive)}.ledger.json`);
}

/** Where the copy of `archive` that repairs it is kept. */
export function mirrorPathFor(archive: string): string {
  return path.join(stateDirFor(archive), path.basename(archive));
}

/** The ledger of `archive`; `undefined` when there is none (no archive yet, or one from before ledgers). */
export async function readLedger(fs: FileSystem, archive: string): Promise<ArchiveLedger | undefined> {
  let text: string;
  try {
    text = (await fs.readFile(ledgerPathFor(archive))).toString('utf8');
  } catch (err) {
    if (systemErrorCode(err) === 'ENOENT') return undefined;
    throw ioError('reading the event archive ledger', archive, err);
  }
  try {
    const { bytes, lines, lastSeq, chain } = JSON.parse(text) as ArchiveLedger;
    if ([bytes, lines, lastSeq].every(Number.isSafeInteger) && typeof chain === 'string') return { bytes, lines, lastSeq, chain };
  } catch {
    // An unreadable ledger proves nothing; the archive is then checked from its first line.
  }
  return undefined;
}

/** Replaces the ledger, no more readable than the archive it describes. */
export async function writeLedger(fs: FileSystem, archive: string, ledger: ArchiveLedger, mode: number): Promise<void> {
  const dir = stateDirFor(archive);
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  } catch (err) {
    throw ioError('creating the state directory', archive, err);
  }
  await atomicWriteFile(fs, ledgerPathFor(archive), Buffer.from(`${JSON.stringify(ledger)}\n`), { mode, label: 'recording the event archive ledger' });
}

/** One complete line of an archive, without its newline. */
export interface ArchiveLine {
  text: string;
  seq: number | undefined;
  /** Its length in bytes, newline included. */
  bytes: number;
}

/** The complete lines of `bytes` (a torn last line, without its newline, is left out). */
export function splitLines(bytes: Uint8Array): ArchiveLine[] {
  const lines: ArchiveLine[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, i - start).toString('utf8');
    lines.push({ text, seq: seqOf(text), bytes: i + 1 - start });
    start = i + 1;
  }
  return lines;
}

function seqOf(text: string): number | undefined {
  try {
    const raw = JSON.parse(text) as unknown;
    const seq = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as { seq?: unknown }).seq : undefined;
    return typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : undefined;
  } catch {
    return undefined;
  }
}

/** `ledger` extended over `lines`. */
export function extendLedger(ledger: ArchiveLedger, lines: readonly ArchiveLine[]): ArchiveLedger {
  let { bytes, chain, lastSeq } = ledger;
  for (const line of lines) {
    chain = createHash('sha256').update(chain).update(line.text).digest('hex');
    bytes += line.bytes;
    lastSeq = line.seq ?? lastSeq;
  }
  return { bytes, lines: ledger.lines + lines.length, lastSeq, chain };
}

/** The lines after a ledger, split by {@link committedTail}. */
export interface CommittedTail {
  /** The lines of committed versions. */
  kept: ArchiveLine[];
  /**
   * Where (an index into the tail) the first line after them that cannot be of a failed commit
   * lies: one with a committed seq, or (strict) an unreadable one. Such a line is damage.
   */
  stray: number | undefined;
}

/**
 * The lines after a ledger that belong to committed versions: the longest run of well-formed
 * lines with consecutive seqs (after `after`, the ledger's last) below `boundary`, the seq of
 * the oldest event still in the committed live file. An archive line is written before the
 * commit that drops its event, so a line at or past the boundary is from a commit that did not
 * happen, and so is all after it. An archive without a ledger (written before ledgers were
 * kept) is taken as it is, `strict` off: its seqs need only lie below the boundary, and its
 * unreadable lines (torn appends fenced off by later ones) are kept as readers skip them.
 */
export function committedTail(tail: readonly ArchiveLine[], after: number, boundary: number, strict = true): CommittedTail {
  let previous = after;
  let kept = 0;
  for (const line of tail) {
    if (line.seq === undefined) {
      if (strict) break;
      kept += 1;
      continue;
    }
    // The first line ever archived may start anywhere: files from older buses number from 1 or more.
    const next = previous === 0 || !strict ? line.seq > 0 : line.seq === previous + 1;
    if (!next || line.seq >= boundary) break;
    previous = line.seq;
    kept += 1;
  }
  const stray = tail.slice(kept).findIndex((line) => (line.seq === undefined ? strict : line.seq < boundary));
  return { kept: tail.slice(0, kept), stray: stray === -1 ? undefined : kept + stray };
}
