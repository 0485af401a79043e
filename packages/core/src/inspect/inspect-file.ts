import type { CommitRecord, FileStats, FileSystem } from '../contract.js';
import { readLastCommit } from '../commit/commit-journal.js';
import { sha256Hex } from '../commit/sha256.js';
import { ioError, systemErrorCode, type PreventionError } from '../errors.js';
import { inspectContent, type ContentInspection, type ContentSettings } from './inspect-content.js';

/** What stands at a path in place of a regular file. */
export type NonRegularType = 'symbolic-link' | 'directory' | 'other';

/** The commit journal's view of a file: the baseline an inspection compares with. */
export interface InspectionBaseline {
  /** The last commit recorded for the file, if any. */
  lastCommit: CommitRecord | undefined;
  /** Why the journal could not be read (`PREVENTION_IO_FAILED`); `lastCommit` is then unknown. */
  journalError: PreventionError | undefined;
}

/** Nothing is at the path. */
export interface MissingFile extends InspectionBaseline {
  state: 'missing';
}

/** Something other than a regular file is at the path: prevention neither follows nor replaces it. */
export interface NonRegularFile extends InspectionBaseline {
  state: 'not-regular';
  type: NonRegularType;
}

/** The path could not be looked at or read. */
export interface UnreadableFile extends InspectionBaseline {
  state: 'unreadable';
  /** The system error code (`EACCES`, `EIO`, ...), or the error's message when it has none. */
  reason: string;
  /** The failure, typed (`PREVENTION_IO_FAILED`, the system error as its cause). */
  error: PreventionError;
}

/** A regular file, read and hashed; its content is checked only on request. */
export interface PresentFile extends InspectionBaseline {
  state: 'present';
  /** The file's status (lstat) before it was read. */
  stats: FileStats;
  bytes: Buffer;
  sha256: string;
  /**
   * Parses the bytes and checks them against the file's limits and schema. Separate from the
   * read because it costs far more than the hash: a caller whose sha256 matches a version it
   * trusts (the journal's, say) can skip it.
   */
  content(settings: ContentSettings): ContentInspection;
}

/** The caller's `unchanged` test passed: the file was neither read nor hashed. */
export interface UnchangedFile {
  state: 'unchanged';
  stats: FileStats;
}

/** The outcome of {@link inspectFile} without an `unchanged` test. */
export type InspectedFile = MissingFile | NonRegularFile | UnreadableFile | PresentFile;

/** The outcome of {@link inspectFile}. */
export type FileInspection = InspectedFile | UnchangedFile;

/** Options of {@link inspectFile}. */
export interface InspectFileOptions {
  /**
   * True when the file's status proves its content is a version the caller already verified;
   * the file is then not read (state `unchanged`), so a poll of an intact file costs one lstat.
   */
  unchanged?: (stats: FileStats) => boolean;
}

function nonRegularType(stats: FileStats): NonRegularType {
  if (stats.isSymbolicLink()) return 'symbolic-link';
  return stats.isDirectory() ? 'directory' : 'other';
}

async function baselineOf(fs: FileSystem, file: string): Promise<InspectionBaseline> {
  try {
    return { lastCommit: await readLastCommit(fs, file), journalError: undefined };
  } catch (err) {
    return { lastCommit: undefined, journalError: ioError('reading the commit journal', file, err) };
  }
}

async function accessFailed(fs: FileSystem, file: string, err: unknown): Promise<MissingFile | UnreadableFile> {
  const code = systemErrorCode(err);
  if (code === 'ENOENT') return { state: 'missing', ...(await baselineOf(fs, file)) };
  const reason = code ?? (err instanceof Error ? err.message : String(err));
  return { state: 'unreadable', reason, error: ioError('reading', file, err), ...(await baselineOf(fs, file)) };
}

/**
 * Looks at one file the way prevention judges it, without its lock and without changing it:
 * lstat (a symbolic link, directory or other non-regular file is refused, never followed),
 * read, sha256, and the last commit from the commit journal, read after the bytes so that a
 * commit landing in between shows as a mismatch rather than hiding one. Parsing and the
 * schema run only when asked ({@link PresentFile.content}).
 *
 * File system failures are reported in the result (`unreadable`, `journalError`), never thrown.
 */
export function inspectFile(fs: FileSystem, file: string): Promise<InspectedFile>;
export function inspectFile(fs: FileSystem, file: string, options: InspectFileOptions): Promise<FileInspection>;
export async function inspectFile(fs: FileSystem, file: string, options: InspectFileOptions = {}): Promise<FileInspection> {
  let stats: FileStats;
  try {
    stats = await fs.lstat(file);
  } catch (err) {
    return accessFailed(fs, file, err);
  }
  if (!stats.isFile()) return { state: 'not-regular', type: nonRegularType(stats), ...(await baselineOf(fs, file)) };
  if (options.unchanged?.(stats)) return { state: 'unchanged', stats };
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    // The port's readFile refuses a final symbolic link: one was put there since the lstat.
    if (systemErrorCode(err) === 'ELOOP') return { state: 'not-regular', type: 'symbolic-link', ...(await baselineOf(fs, file)) };
    return accessFailed(fs, file, err);
  }
  const sha256 = sha256Hex(bytes);
  return { state: 'present', stats, bytes, sha256, ...(await baselineOf(fs, file)), content: (settings) => inspectContent(bytes, file, settings) };
}
