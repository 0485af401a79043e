import path from 'node:path';
import { ErrorCodes, PreventionError, type BackupInput, type BackupRecord } from '@prevention/core';
import { backupDirFor } from '../storage/backup-location.js';
import { backupModeFor, ensureBackupDir, listDirectory, narrowBackupFiles, readBackupFile, removeBackupFile, writeBackupFile } from '../storage/backup-files.js';
import { newestFirst, parseSnapshotId, toBackupRecord, type SnapshotMeta } from '../storage/snapshot-id.js';
import { SnapshotStrategy } from './snapshot-strategy.js';
import type { StrategyServices } from './strategy-services.js';

interface RotatedCopy {
  name: string;
  id: string;
  meta: SnapshotMeta;
}

/**
 * `rotating`: the newest `keep` copies, each `<name>.<id>`: the id starts with the save time and
 * carries the sequence, size and sha256, so a copy and its checksum are one name and saving one
 * touches no other copy. (Copies were once numbered logrotate style, `<name>.1.<id>` the newest,
 * which cost a rename of every copy on every commit; copies named that way are still listed,
 * read and pruned.)
 */
export class RotatingStrategy extends SnapshotStrategy {
  readonly name: string;

  /**
   * @param keep how many copies to keep (at least 1)
   * @param dir absolute directory for the copies of all files (default: beside each file, in `.prevention/backups`)
   */
  constructor(services: StrategyServices, keep: number, private readonly dir?: string) {
    super(services, { policy: { keepLast: keep }, keepWithinMs: undefined });
    this.name = dir === undefined ? 'rotating' : `rotating:${dir}`;
  }

  async list(file: string): Promise<BackupRecord[]> {
    return (await this.copies(file)).map(({ id, meta }) => toBackupRecord(id, meta, file, this.name));
  }

  async read(record: BackupRecord): Promise<Uint8Array> {
    return readBackupFile(this.services.fs, await this.pathOf(record), record.file);
  }

  protected async store(input: BackupInput, id: string): Promise<void> {
    const dir = this.dirFor(input.file);
    await ensureBackupDir(this.services.fs, dir, input.file);
    await writeBackupFile(this.services.fs, path.join(dir, `${path.basename(input.file)}.${id}`), input.bytes, backupModeFor(input.mode));
  }

  protected async discard(file: string, records: readonly BackupRecord[]): Promise<void> {
    const ids = new Set(records.map((r) => r.id));
    const dir = this.dirFor(file);
    for (const copy of await this.copies(file)) {
      if (ids.has(copy.id)) await removeBackupFile(this.services.fs, path.join(dir, copy.name), file);
    }
  }

  protected narrow(file: string, mode: number): Promise<void> {
    return narrowBackupFiles(this.services.fs, this.dirFor(file), mode, file);
  }

  private async copies(file: string): Promise<RotatedCopy[]> {
    const prefix = `${path.basename(file)}.`;
    const names = await listDirectory(this.services.fs, this.dirFor(file), file);
    const copies: RotatedCopy[] = [];
    for (const name of names) {
      if (!name.startsWith(prefix)) continue;
      const rest = name.slice(prefix.length);
      // `<id>`, or `<number>.<id>` as older versions named them.
      const id = parseSnapshotId(rest) ? rest : /^\d+\.(.+)$/.exec(rest)?.[1];
      const meta = id === undefined ? undefined : parseSnapshotId(id);
      if (id !== undefined && meta) copies.push({ name, id, meta });
    }
    return copies.sort(newestFirst);
  }

  private async pathOf(record: BackupRecord): Promise<string> {
    const copy = (await this.copies(record.file)).find((c) => c.id === record.id);
    if (!copy) throw new PreventionError(ErrorCodes.IO_FAILED, `the backup ${record.id} of ${record.file} no longer exists in ${this.dirFor(record.file)}`, { file: record.file });
    return path.join(this.dirFor(record.file), copy.name);
  }

  private dirFor(file: string): string {
    return backupDirFor(file, 'rotating', this.dir);
  }
}
