import path from 'node:path';
import { ErrorCodes, PreventionError, sha256Hex, type BackupInput, type BackupRecord } from '@prevention/core';
import { backupDirFor } from '../storage/backup-location.js';
import { backupFileMode, backupModeFor, ensureBackupDir, listDirectory, narrowBackupFiles, readBackupFile, readIfExists, removeBackupFile, writeBackupFile } from '../storage/backup-files.js';
import { newestFirst, parseSnapshotId, toBackupRecord } from '../storage/snapshot-id.js';
import { SnapshotStrategy, type ResolvedRetention } from './snapshot-strategy.js';
import type { StrategyServices } from './strategy-services.js';

/** The index file: the snapshots, by id (each id carries its time, size and sha256). */
interface SnapshotIndex {
  version: 1;
  snapshots: string[];
}

const INDEX = 'index.json';
const OBJECTS = 'objects';

/**
 * `content-addressed`: each distinct content is stored once, as `objects/<sha256>`, and
 * `index.json` lists the snapshots that point at it, so a thousand writes that flip between
 * two versions take two files. The index and every object are written atomically; objects no
 * snapshot points at any more are deleted when retention runs.
 */
export class ContentAddressedStrategy extends SnapshotStrategy {
  readonly name: string;

  /**
   * @param dir absolute directory for the backups of all files (default: beside each file, in `.prevention/backups`)
   */
  constructor(services: StrategyServices, retention: ResolvedRetention, private readonly dir?: string) {
    super(services, retention);
    this.name = dir === undefined ? 'content-addressed' : `content-addressed:${dir}`;
  }

  async list(file: string): Promise<BackupRecord[]> {
    const index = await this.readIndex(file);
    return index.snapshots
      .map((id) => ({ id, meta: parseSnapshotId(id) }))
      .filter((entry): entry is { id: string; meta: NonNullable<typeof entry.meta> } => entry.meta !== undefined)
      .sort(newestFirst)
      .map(({ id, meta }) => toBackupRecord(id, meta, file, this.name));
  }

  read(record: BackupRecord): Promise<Uint8Array> {
    return readBackupFile(this.services.fs, this.objectPath(record.file, record.sha256), record.file);
  }

  /** Each distinct content counts once. */
  protected override storedBytes(records: readonly BackupRecord[]): number {
    const sizes = new Map(records.map((r) => [r.sha256, r.bytes]));
    return [...sizes.values()].reduce((total, bytes) => total + bytes, 0);
  }

  protected async store(input: BackupInput, id: string): Promise<void> {
    const { fs } = this.services;
    const dir = this.dirFor(input.file);
    await ensureBackupDir(fs, dir, input.file);
    await ensureBackupDir(fs, path.join(dir, OBJECTS), input.file);
    const object = this.objectPath(input.file, input.sha256);
    const mode = backupModeFor(input.mode);
    const stored = await readIfExists(fs, object, input.file);
    // An object is reused only if it still holds its content: one damaged on disk would make
    // every snapshot pointing at it unrestorable. It is rewritten, too, if its mode is wider.
    const reusable = stored !== undefined && sha256Hex(stored) === input.sha256 && ((await backupFileMode(fs, object, input.file)) & ~mode) === 0;
    if (!reusable) await writeBackupFile(fs, object, input.bytes, mode);
    const index = await this.readIndex(input.file);
    await this.writeIndex(input.file, { version: 1, snapshots: [...index.snapshots, id] }, mode);
  }

  protected async discard(file: string, records: readonly BackupRecord[]): Promise<void> {
    const { fs } = this.services;
    const gone = new Set(records.map((r) => r.id));
    const index = await this.readIndex(file);
    const snapshots = index.snapshots.filter((id) => !gone.has(id));
    const indexPath = path.join(this.dirFor(file), INDEX);
    await this.writeIndex(file, { version: 1, snapshots }, await backupFileMode(fs, indexPath, file));
    // After the index no longer points at them: a crash in between leaves unreferenced objects,
    // which the next run deletes, never an index entry without its object.
    const referenced = new Set(snapshots.map((id) => parseSnapshotId(id)?.sha256));
    for (const name of await listDirectory(fs, path.join(this.dirFor(file), OBJECTS), file)) {
      if (/^[0-9a-f]{64}$/.test(name) && !referenced.has(name)) await removeBackupFile(fs, this.objectPath(file, name), file);
    }
  }

  protected async narrow(file: string, mode: number): Promise<void> {
    await narrowBackupFiles(this.services.fs, this.dirFor(file), mode, file);
    await narrowBackupFiles(this.services.fs, path.join(this.dirFor(file), OBJECTS), mode, file);
  }

  private async readIndex(file: string): Promise<SnapshotIndex> {
    const indexPath = path.join(this.dirFor(file), INDEX);
    const bytes = await readIfExists(this.services.fs, indexPath, file);
    if (bytes === undefined) return { version: 1, snapshots: [] };
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch (cause) {
      parsed = cause;
    }
    const snapshots = (parsed as Partial<SnapshotIndex> | undefined)?.snapshots;
    if (!Array.isArray(snapshots) || !snapshots.every((id) => typeof id === 'string')) {
      // Never read as empty: the next retention run would delete every object as unreferenced.
      throw new PreventionError(
        ErrorCodes.BACKUP_FAILED,
        `the backup index ${indexPath} of ${file} is unreadable; move it aside to start a new one (the objects beside it are intact copies, named by their sha256)`,
        { file, cause: parsed instanceof Error ? parsed : undefined },
      );
    }
    return { version: 1, snapshots };
  }

  private async writeIndex(file: string, index: SnapshotIndex, mode: number): Promise<void> {
    const bytes = Buffer.from(`${JSON.stringify(index, null, 2)}\n`, 'utf8');
    await writeBackupFile(this.services.fs, path.join(this.dirFor(file), INDEX), bytes, mode);
  }

  private objectPath(file: string, sha256: string): string {
    return path.join(this.dirFor(file), OBJECTS, sha256);
  }

  private dirFor(file: string): string {
    return backupDirFor(file, 'content-addressed', this.dir);
  }
}
