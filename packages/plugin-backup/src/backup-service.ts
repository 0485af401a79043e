import type { BackupRecord, BackupStrategy, EngineApi, PruneReport, RestoreResult } from '@prevention/core';

/** What `prune` does. */
export interface PruneOptions {
  /** Only report what would be deleted. Default false. */
  dryRun?: boolean;
  /** Prune this file's backups; default every file the config covers, globs expanded. */
  file?: string;
}

/** The `backup` plugin's service: `engine.service(BACKUP_SERVICE)`. */
export class BackupService {
  constructor(
    private readonly engine: EngineApi,
    private readonly strategies: readonly BackupStrategy[],
  ) {}

  /** Every backup of `file` across all strategies, newest first. */
  list(file: string): Promise<BackupRecord[]> {
    return this.engine.backups(file);
  }

  /**
   * Restores `file` through the pipeline (locked, committed atomically, verified): the backup
   * with `id`, or else the newest that matches its recorded sha256, parses and passes the file's
   * schema. The replaced file is kept in the quarantine folder.
   */
  restore(file: string, options: { id?: string } = {}): Promise<RestoreResult> {
    return this.engine.restore(file, options);
  }

  /**
   * Applies this plugin's strategies' retention to `file`, or to every file the config covers
   * (`engine.managedFiles()`, globs expanded). Deleting runs under the file's lock; a dry run
   * only reads.
   *
   * @returns one report per file and strategy, listing what was (or would be) kept and removed
   */
  async prune(options: PruneOptions = {}): Promise<PruneReport[]> {
    const dryRun = options.dryRun ?? false;
    const files = options.file === undefined ? await this.engine.managedFiles() : [this.engine.resolvePath(options.file)];
    const reports: PruneReport[] = [];
    for (const file of files) {
      const pruneAll = async (): Promise<void> => {
        for (const strategy of this.strategies) if (strategy.prune) reports.push(await strategy.prune(file, { dryRun }));
      };
      if (dryRun) await pruneAll();
      // Under the file's lock, so pruning never races a save (a content-addressed index
      // rewritten by both at once would lose the newer snapshot).
      else await this.engine.withLock(file, pruneAll);
    }
    return reports;
  }
}
