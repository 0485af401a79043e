import type { FileAttributes } from '../fs/file-attributes.js';

/** One saved version of a file. */
export interface BackupRecord {
  /** Unique within the strategy and file; passed back to `read` and `restore`. */
  id: string;
  /** Absolute path of the file this is a backup of. */
  file: string;
  /** The strategy instance that holds it. */
  strategy: string;
  /** Wall-clock time of the save: for display and day-based retention, never to tell which backup is newer (clocks step back). */
  createdAt: Date;
  /**
   * Commit generation: strictly increasing across the versions of one file, in commit order, and
   * the same number in every strategy for the same save. What "newest" means when backups are
   * chosen or listed. Absent for a backup made before generations existed (or by a strategy
   * that does not keep it): such backups count as older than any that have one.
   */
  generation?: number;
  /** sha256 (hex) of the backed-up bytes, recorded at save time. */
  sha256: string;
  /** Size in bytes. */
  bytes: number;
  /**
   * The data file's mode and owner when this version was saved. A restore over a damaged or
   * deleted file gives them back (the owner only when running as root); absent when the file
   * was not on disk yet, or for a backup made before they were recorded.
   */
  attributes?: FileAttributes;
}

/** What a strategy is asked to save. */
export interface BackupInput {
  /** Absolute path of the data file. */
  file: string;
  /** The exact bytes of the version, as they are (or will be) on disk. */
  bytes: Uint8Array;
  sha256: string;
  /** Mode to give the backup: the data file's (0o600 while it has none); backups are never more permissive. */
  mode: number;
  /**
   * The data file's mode and owner as found on disk (absent for a file not created yet). A
   * strategy stores them with the backup and returns them as {@link BackupRecord.attributes}.
   */
  attributes?: FileAttributes;
  /** `commit`: the version being committed; `previous`: the version found on disk before it. */
  reason: 'commit' | 'previous';
  /**
   * Commit generation of this version, assigned by the engine under the file's lock: one more
   * than the highest any strategy holds for the file. A strategy stores it durably with the
   * backup and returns it as {@link BackupRecord.generation}, so the order survives restarts and
   * wall-clock steps.
   */
  generation: number;
}

/** What pruning removed, or would remove with `dryRun`. */
export interface PruneReport {
  file: string;
  strategy: string;
  kept: BackupRecord[];
  removed: BackupRecord[];
  dryRun: boolean;
}

/**
 * The BackupStrategy port. The engine's `backup` middleware saves every committed version
 * through each registered strategy before the commit's rename, and restores read them back.
 * Implementations must write backups atomically and durably (see `atomicWriteFile`).
 */
export interface BackupStrategy {
  /** Name of this instance (for example `rotating`, or `rotating:/var/backups`). Unique per engine. */
  readonly name: string;
  /**
   * Saves one version, without applying retention: the save happens before the commit's rename,
   * and a commit that fails afterwards gets its backup removed again, so pruning here could
   * cost an older backup for a write that never happened. The engine calls `prune` once the
   * commit succeeded.
   */
  save(input: BackupInput): Promise<BackupRecord>;
  /**
   * Backups of `file`, newest first in save order (never by wall-clock time). Each record carries
   * the `generation` it was saved with; the engine orders all strategies' backups by it. When it
   * fails, the engine saves nothing through this strategy for that commit: a number not proven
   * higher than the ones it holds could put the new version below older ones.
   */
  list(file: string): Promise<BackupRecord[]>;
  /** The bytes of one backup. */
  read(record: BackupRecord): Promise<Uint8Array>;
  /** Deletes one backup (used to drop the backup of a commit that failed). */
  remove(record: BackupRecord): Promise<void>;
  /**
   * Applies retention to `file`'s backups; with `dryRun` only reports. The engine calls it,
   * under the file's lock, after every commit this strategy backed up; `prevention prune` too.
   */
  prune?(file: string, options: { dryRun: boolean }): Promise<PruneReport>;
  /** Releases resources. */
  close?(): Promise<void>;
}
