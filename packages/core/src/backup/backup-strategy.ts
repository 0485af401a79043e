/** One saved version of a file. */
export interface BackupRecord {
  /** Unique within the strategy and file; passed back to `read` and `restore`. */
  id: string;
  /** Absolute path of the file this is a backup of. */
  file: string;
  /** The strategy instance that holds it. */
  strategy: string;
  createdAt: Date;
  /** sha256 (hex) of the backed-up bytes, recorded at save time. */
  sha256: string;
  /** Size in bytes. */
  bytes: number;
}

/** What a strategy is asked to save. */
export interface BackupInput {
  /** Absolute path of the data file. */
  file: string;
  /** The exact bytes of the version, as they are (or will be) on disk. */
  bytes: Uint8Array;
  sha256: string;
  /** Mode of the data file; backups are never more permissive. */
  mode: number;
  /** `commit`: the version being committed; `previous`: the version found on disk before it. */
  reason: 'commit' | 'previous';
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
  /** Backups of `file`, newest first. */
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
