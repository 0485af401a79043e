import { randomBytes } from 'node:crypto';
import path from 'node:path';

/**
 * The file store's layout on disk, in one place: where prevention keeps its state beside a data
 * file and the names of everything it makes there. Pure path arithmetic, so every layer (glob
 * expansion, the monitor, the CLI) can learn a name without loading what makes the file.
 */

/** The name of the directory where prevention keeps its state, beside the data files. */
export const STATE_DIR_NAME = '.prevention';

const JOURNAL_SUFFIX = '.commits.jsonl';
const ARCHIVE_SUFFIX = '.archive.jsonl';
const LOCK_SUFFIX = '.lock';
const TEMP_SUFFIX = '.tmp';

/** The directory beside a data file where prevention keeps its state (backups, quarantine). */
export function stateDirFor(file: string): string {
  return path.join(path.dirname(file), STATE_DIR_NAME);
}

/** Where bad copies of `file` are kept aside, never deleted. */
export function quarantineDirFor(file: string): string {
  return path.join(stateDirFor(file), 'quarantine');
}

/** A filesystem-safe timestamp, sortable as text: 2026-11-26T19-30-00-123Z. */
export function fileStamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

/**
 * The socket where processes publishing to `file` hand their events to the one committing
 * (the bus's publish relay); `key` tells apart buses whose options shape commits differently.
 */
export function relaySocketPathFor(file: string, key: string): string {
  return path.join(stateDirFor(file), `${path.basename(file)}.${key}.relay`);
}

/** Where the commits of `file` are recorded. */
export function journalPathFor(file: string): string {
  return path.join(stateDirFor(file), `${path.basename(file)}${JOURNAL_SUFFIX}`);
}

/** The data file in `dir` whose journal is the entry `name` of `dir`'s state directory; undefined when `name` is no journal. */
export function journaledFileIn(dir: string, name: string): string | undefined {
  if (!name.endsWith(JOURNAL_SUFFIX) || name.length === JOURNAL_SUFFIX.length) return undefined;
  return path.join(dir, name.slice(0, -JOURNAL_SUFFIX.length));
}

/** The archive of `file`: JSON Lines beside it, `shared_context.json` → `shared_context.archive.jsonl`. */
export function archivePathFor(file: string): string {
  const ext = path.extname(file);
  return path.join(path.dirname(file), `${path.basename(file, ext)}${ARCHIVE_SUFFIX}`);
}

/** True when `name` is a bus archive's file name (JSON Lines, appended to by the bus, never a document). */
export function isArchiveName(name: string): boolean {
  return name.endsWith(ARCHIVE_SUFFIX);
}

/** The cross-process lock of `file`: a directory beside it. */
export function lockPathOf(file: string): string {
  return `${file}${LOCK_SUFFIX}`;
}

/** True when `name` (a directory entry) is the name of a lock taken on a file beside it. */
export function isLockName(name: string): boolean {
  return name.endsWith(LOCK_SUFFIX);
}

/** The temp name for `target`: hidden, beside it (same file system), unique per process and attempt. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
}

/** True when `name` (a directory entry) is a temp file of an atomic write of `target`. */
export function isTempNameFor(target: string, name: string): boolean {
  const prefix = `.${path.basename(target)}.`;
  return name.startsWith(prefix) && name.endsWith(TEMP_SUFFIX) && /^\d+\.[0-9a-f]{12}$/.test(name.slice(prefix.length, -TEMP_SUFFIX.length));
}

/** True when `name` (a directory entry) is a temp file of an atomic write of any target. */
export function isAnyTempName(name: string): boolean {
  return /^\..+\.\d+\.[0-9a-f]{12}\.tmp$/.test(name);
}

/**
 * True when `name`, a directory entry beside data files, is one prevention makes for itself:
 * its state directory (journals, backups, quarantine), the temp file of an atomic write, a
 * lock, or a bus archive. Whoever lists or watches data files skips them: they are never
 * documents, so a broad glob must not have the monitor parse them as JSON.
 */
export function isInternalName(name: string): boolean {
  return name === STATE_DIR_NAME || isAnyTempName(name) || isLockName(name) || isArchiveName(name);
}
