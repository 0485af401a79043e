import path from 'node:path';
import { fileStamp, quarantineDirFor } from '../store/file-layout.js';
import type { FileSystem, ArchiveInspection, ArchiveRepair } from '../contract.js';
import { atomicWriteFile } from '../commit/atomic-write.js';
import { ioError, systemErrorCode } from '../errors.js';
import { committedTail, EMPTY_LEDGER, extendLedger, mirrorPathFor, readLedger, splitLines, writeLedger, type ArchiveLedger } from './archive-ledger.js';

/** One of the two copies, checked: its committed content, or what is wrong with it. */
type Verdict = { ok: true; committed: Buffer; lines: number; ledger: ArchiveLedger } | { ok: false; problem: string };

async function readIfPresent(fs: FileSystem, file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    if (systemErrorCode(err) === 'ENOENT') return undefined;
    throw ioError('reading the event archive', file, err);
  }
}

/**
 * Checks one copy as append-only: its first `ledger.bytes` must hash to the recorded chain, and
 * what follows must be the lines of the events that left the live file since, in seq order
 * without a gap, up to the seq before `boundary` (the oldest live seq). Lines past that are of
 * a commit that did not happen: not damage, and not part of the committed content.
 */
function verify(bytes: Buffer | undefined, recorded: ArchiveLedger | undefined, boundary: number): Verdict {
  const ledger = recorded ?? EMPTY_LEDGER;
  if (bytes === undefined) {
    return ledger.lines > 0 ? { ok: false, problem: `it is missing, though ${ledger.lines} committed lines were recorded` } : { ok: true, committed: Buffer.alloc(0), lines: 0, ledger };
  }
  if (bytes.length < ledger.bytes) return { ok: false, problem: `it is ${bytes.length} bytes, shorter than the ${ledger.bytes} bytes recorded as committed` };
  const prefix = splitLines(bytes.subarray(0, ledger.bytes));
  const proven = extendLedger(EMPTY_LEDGER, prefix);
  if (proven.bytes !== ledger.bytes || proven.chain !== ledger.chain) {
    return { ok: false, problem: `a committed line was changed or removed (the first ${ledger.bytes} bytes no longer hash to the ${ledger.lines} lines recorded)` };
  }
  const tail = splitLines(bytes.subarray(ledger.bytes));
  const { kept, stray } = committedTail(tail, ledger.lastSeq, boundary, recorded !== undefined);
  if (stray !== undefined) return { ok: false, problem: `line ${ledger.lines + stray + 1} is out of seq order or unreadable` };
  const extended = extendLedger(ledger, kept);
  if (extended.lines > 0 && extended.lastSeq < boundary - 1) {
    return { ok: false, problem: `the events with seq ${extended.lastSeq + 1} to ${boundary - 1} left the live file but are not in it` };
  }
  return { ok: true, committed: Buffer.from(bytes.subarray(0, extended.bytes)), lines: extended.lines, ledger: extended };
}

/**
 * Checks the archive at `archive` against its ledger, its copy and `boundary`, the seq of the
 * oldest event in the committed live file (1 when it has none), asked for only when there is
 * an archive to check. Takes no lock and changes nothing.
 */
export async function inspectArchive(fs: FileSystem, archive: string, boundary: () => Promise<number>): Promise<ArchiveInspection> {
  const ledger = await readLedger(fs, archive);
  const [bytes, copy] = await Promise.all([readIfPresent(fs, archive), readIfPresent(fs, mirrorPathFor(archive))]);
  if (!ledger && bytes === undefined && copy === undefined) return { archive, state: 'absent', lines: 0 };
  const oldestLive = await boundary();
  const own = verify(bytes, ledger, oldestLive);
  const mirrored = verify(copy, ledger, oldestLive);
  if (own.ok) {
    // The copy may lag (it is appended without fsync) but never disagree.
    const agrees = !mirrored.ok || mirrored.committed.equals(own.committed.subarray(0, mirrored.committed.length));
    if (agrees) return { archive, state: 'intact', lines: own.lines };
    if (mirrored.committed.length > own.committed.length) return damaged(archive, `it ends after line ${own.lines}; its copy holds ${mirrored.lines} committed lines`, mirrored);
    return { archive, state: 'damaged', problem: 'its last committed lines differ from its copy', repairable: false, lines: own.lines };
  }
  return damaged(archive, own.problem, mirrored);
}

function damaged(archive: string, problem: string, copy: Verdict): ArchiveInspection {
  // An empty copy proves nothing about what the archive held: it is no repair.
  const repairable = copy.ok && copy.lines > 0;
  return { archive, state: 'damaged', problem, repairable, lines: repairable ? copy.lines : 0 };
}

/**
 * Puts back a damaged archive from its copy: the committed content is written over it
 * atomically, with the archive's mode, and the damaged bytes are kept in the quarantine
 * folder; the ledger then covers every committed line. Call it holding the live file's lock,
 * with the committed version's `boundary`. Returns what it found, and whether it repaired it.
 */
export async function repairArchive(fs: FileSystem, archive: string, boundary: number, mode: number): Promise<ArchiveRepair> {
  const inspection = await inspectArchive(fs, archive, () => Promise.resolve(boundary));
  if (inspection.state !== 'damaged' || !inspection.repairable) return { ...inspection, repaired: false };
  const copy = verify(await readIfPresent(fs, mirrorPathFor(archive)), await readLedger(fs, archive), boundary);
  if (!copy.ok || copy.lines === 0) return { ...inspection, repaired: false };
  const bad = await readIfPresent(fs, archive);
  if (bad !== undefined) await quarantineArchiveBytes(fs, archive, bad, 'damaged');
  await atomicWriteFile(fs, archive, copy.committed, { mode, label: 'repairing the event archive from its copy' });
  await atomicWriteFile(fs, mirrorPathFor(archive), copy.committed, { mode, label: 'repairing the copy of the event archive' });
  await writeLedger(fs, archive, copy.ledger, mode);
  return { ...inspection, repaired: true };
}

/** Keeps bytes taken out of `archive` in the quarantine folder (0600), never deleting them; returns the path. */
export async function quarantineArchiveBytes(fs: FileSystem, archive: string, bytes: Uint8Array, reason: string): Promise<string> {
  const dir = quarantineDirFor(archive);
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw ioError('creating the quarantine folder', archive, err);
  }
  const target = path.join(dir, `${path.basename(archive)}.${fileStamp(new Date())}.${process.pid}.${reason}`);
  await atomicWriteFile(fs, target, bytes, { mode: 0o600, label: 'quarantining lines of the event archive' });
  return target;
}
