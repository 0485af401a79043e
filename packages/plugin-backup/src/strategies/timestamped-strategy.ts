import path from 'node:path';
import type { BackupInput, BackupRecord } from '@prevention/core';
import { backupDirFor } from '../storage/backup-location.js';
import { backupModeFor, ensureBackupDir, listDirectory, narrowBackupFiles, readBackupFile, removeBackupFile, writeBackupFile } from '../storage/backup-files.js';
import { newestFirst, parseSnapshotId, toBackupRecord } from '../storage/snapshot-id.js';
import { SnapshotStrategy, type ResolvedRetention } from './snapshot-strategy.js';
import type { StrategyServices } from './strategy-services.js';

const EXTENSION = '.json';

/**
 * `timestamped`: one snapshot per write, `<dir>/<time>.<seq>.<bytes>.<sha256>.json`, each a
 * plain copy of the data file, thinned by a restic-style retention policy.
 */
export class TimestampedStrategy extends SnapshotStrategy {
  readonly name: string;

  /**
   * @param dir absolute directory for the backups of all files (default: beside each file, in `.prevention/backups`)
   */
  constructor(services: StrategyServices, retention: ResolvedRetention, private readonly dir?: string) {
    super(services, retention);
    this.name = dir === undefined ? 'timestamped' : `timestamped:${dir}`;
  }

  async list(file: string): Promise<BackupRecord[]> {
    const names = await listDirectory(this.services.fs, this.dirFor(file), file);
    return names
      .filter((name) => name.endsWith(EXTENSION))
      .map((name) => ({ id: name.slice(0, -EXTENSION.length), meta: parseSnapshotId(name.slice(0, -EXTENSION.length)) }))
      .filter((entry): entry is { id: string; meta: NonNullable<typeof entry.meta> } => entry.meta !== undefined)
      .sort(newestFirst)
      .map(({ id, meta }) => toBackupRecord(id, meta, file, this.name));
  }

  read(record: BackupRecord): Promise<Uint8Array> {
    return readBackupFile(this.services.fs, this.pathOf(record.file, record.id), record.file);
  }

  protected async store(input: BackupInput, id: string): Promise<void> {
    await ensureBackupDir(this.services.fs, this.dirFor(input.file), input.file);
    await writeBackupFile(this.services.fs, this.pathOf(input.file, id), input.bytes, backupModeFor(input.mode));
  }

  protected async discard(file: string, records: readonly BackupRecord[]): Promise<void> {
    for (const record of records) await removeBackupFile(this.services.fs, this.pathOf(file, record.id), file);
  }

  protected narrow(file: string, mode: number): Promise<void> {
    return narrowBackupFiles(this.services.fs, this.dirFor(file), mode, file);
  }

  private dirFor(file: string): string {
    return backupDirFor(file, 'timestamped', this.dir);
  }

  private pathOf(file: string, id: string): string {
    return path.join(this.dirFor(file), `${id}${EXTENSION}`);
  }
}
