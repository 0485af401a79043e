import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import {
  atomicWriteFile,
  ErrorCodes,
  PreventionError,
  stateDirFor,
  type BackupInput,
  type BackupRecord,
  type BackupStrategy,
  type Clock,
  type FileSystem,
  type PruneReport,
} from '@prevention/core';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * `<epoch ms>-<seq>-<bytes>-<sha256>-<generation>[-<mode, octal>-<uid>-<gid>].json.gz`: the name
 * is the durable record of the checksum, of the commit generation the engine orders backups by
 * (older names lack it) and of the data file's mode and owner, which a restore gives back.
 */
const NAME = /^(\d+)-(\d+)-(\d+)-([0-9a-f]{64})(?:-(\d+)(?:-([0-7]+)-(\d+)-(\d+))?)?\.json\.gz$/;

/**
 * A backup strategy that keeps the newest `keep` versions gzip-compressed, written against the
 * BackupStrategy port only. All I/O goes through the engine's FileSystem port and every backup
 * is written with `atomicWriteFile` (temp, fsync, rename, fsync dir), so a crash never leaves a
 * half-written one. `read` returns the uncompressed bytes: the engine checks them against the
 * sha256 recorded at save time before restoring.
 */
export class GzipBackupStrategy implements BackupStrategy {
  readonly name = 'gzip';

  constructor(
    private readonly fs: FileSystem,
    private readonly clock: Clock,
    private readonly keep: number,
  ) {}

  async save(input: BackupInput): Promise<BackupRecord> {
    const existing = await this.list(input.file);
    const seq = Math.max(0, ...existing.map((r) => Number(r.id.split('-')[1]))) + 1;
    const attributes = input.attributes ? `-${input.attributes.mode.toString(8)}-${input.attributes.uid}-${input.attributes.gid}` : '';
    const id = `${this.clock.now()}-${seq}-${input.bytes.length}-${input.sha256}-${input.generation}${attributes}`;
    const dir = this.dirFor(input.file);
    await this.fs.mkdir(dir, { recursive: true, mode: 0o700 });
    // Same read/write bits as the data file, never wider.
    await atomicWriteFile(this.fs, path.join(dir, `${id}.json.gz`), await gzipAsync(input.bytes), { mode: input.mode & 0o666 });
    return this.toRecord(input.file, id)!;
  }

  async list(file: string): Promise<BackupRecord[]> {
    let names: string[];
    try {
      names = await this.fs.readdir(this.dirFor(file));
    } catch {
      return [];
    }
    return names
      .map((name) => this.toRecord(file, name.replace(/\.json\.gz$/, '')))
      .filter((r): r is BackupRecord => r !== undefined)
      .sort((a, b) => Number(b.id.split('-')[1]) - Number(a.id.split('-')[1]));
  }

  async read(record: BackupRecord): Promise<Uint8Array> {
    const compressed = await this.fs.readFile(this.pathOf(record));
    try {
      return await gunzipAsync(compressed);
    } catch (cause) {
      throw new PreventionError(ErrorCodes.RESTORE_FAILED, `the backup ${record.id} of ${record.file} is not valid gzip`, { file: record.file, cause });
    }
  }

  async remove(record: BackupRecord): Promise<void> {
    await this.fs.unlink(this.pathOf(record));
  }

  async prune(file: string, options: { dryRun: boolean }): Promise<PruneReport> {
    // The engine calls this once each commit succeeded, so a failed write never costs a backup.
    const records = await this.list(file);
    const kept = records.slice(0, this.keep);
    const removed = records.slice(this.keep);
    if (!options.dryRun) for (const record of removed) await this.remove(record);
    return { file, strategy: this.name, kept, removed, dryRun: options.dryRun };
  }

  private toRecord(file: string, id: string): BackupRecord | undefined {
    const match = NAME.exec(`${id}.json.gz`);
    if (!match) return undefined;
    const record: BackupRecord = { id, file, strategy: this.name, createdAt: new Date(Number(match[1])), bytes: Number(match[3]), sha256: match[4]! };
    if (match[5] !== undefined) record.generation = Number(match[5]);
    if (match[6] !== undefined) record.attributes = { mode: parseInt(match[6], 8), uid: Number(match[7]), gid: Number(match[8]) };
    return record;
  }

  private dirFor(file: string): string {
    return path.join(stateDirFor(file), 'backups', path.basename(file), 'gzip');
  }

  private pathOf(record: BackupRecord): string {
    return path.join(this.dirFor(record.file), `${record.id}.json.gz`);
  }
}
