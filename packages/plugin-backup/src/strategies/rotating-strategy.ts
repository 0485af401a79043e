import path from 'node:path';
import { ErrorCodes, PreventionError, type BackupInput, type BackupRecord } from '@prevention/core';
import { backupDirFor } from '../storage/backup-location.js';
import { backupModeFor, ensureBackupDir, listDirectory, narrowBackupFiles, readBackupFile, removeBackupFile, writeBackupFile } from '../storage/backup-files.js';
import { newestFirst, parseSnapshotId, toBackupRecord, type SnapshotMeta } from '../storage/snapshot-id.js';
import { SnapshotStrategy } from './snapshot-strategy.js';
import type { StrategyServices } from './strategy-services.js';

interface RotatedCopy {
  name: string;
  number: number;
  id: string;
  meta: SnapshotMeta;
}

/**
 * `rotating`: `keep` numbered copies, logrotate style: `<name>.1.<id>` is the newest, `.2` the
 * one before, and so on. Each copy's name also carries its id (time, sequence, size, sha256),
 * so a rename moves a copy and its checksum together: a crash halfway through a rotation leaves
 * a gap in the numbers, never a copy with the wrong checksum.
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
    const { fs } = this.services;
    const dir = this.dirFor(input.file);
    await ensureBackupDir(fs, dir, input.file);
    const older = await this.copies(input.file);
    // The new copy first: names carry ids, so it can sit beside the old number 1 for a moment,
    // and a save that fails (a full disk) leaves the existing copies exactly as they were.
    await writeBackupFile(fs, path.join(dir, this.nameOf(input.file, 1, id)), input.bytes, backupModeFor(input.mode));
    try {
      await this.renumber(input.file, older);
    } catch (err) {
      // The new copy is durable and the order of copies comes from their ids, not their numbers,
      // so a rotation that stopped halfway loses nothing; the next save renumbers again.
      this.services.logger.warn({ err, file: input.file, strategy: this.name }, 'could not renumber the rotated backups');
    }
  }

  /** Gives the copies older than the new one the numbers 2, 3, ... (oldest first, so numbers stay in age order at every step). */
  private async renumber(file: string, older: readonly RotatedCopy[]): Promise<void> {
    const { fs } = this.services;
    const dir = this.dirFor(file);
    for (let i = older.length - 1; i >= 0; i--) {
      const copy = older[i]!;
      const number = i + 2;
      if (copy.number !== number) await fs.rename(path.join(dir, copy.name), path.join(dir, this.nameOf(file, number, copy.id)));
    }
    await fs.syncDirectory(dir);
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
      const match = /^(\d+)\.(.+)$/.exec(name.slice(prefix.length));
      const meta = match ? parseSnapshotId(match[2]!) : undefined;
      if (match && meta) copies.push({ name, number: Number(match[1]), id: match[2]!, meta });
    }
    return copies.sort(newestFirst);
  }

  private async pathOf(record: BackupRecord): Promise<string> {
    const copy = (await this.copies(record.file)).find((c) => c.id === record.id);
    if (!copy) throw new PreventionError(ErrorCodes.IO_FAILED, `the backup ${record.id} of ${record.file} no longer exists in ${this.dirFor(record.file)}`, { file: record.file });
    return path.join(this.dirFor(record.file), copy.name);
  }

  private nameOf(file: string, number: number, id: string): string {
    return `${path.basename(file)}.${number}.${id}`;
  }

  private dirFor(file: string): string {
    return backupDirFor(file, 'rotating', this.dir);
  }
}
