import type { BackupInput, BackupRecord, BackupStrategy, PruneReport } from '@prevention/core';
import { planRetention, type RetentionPolicy } from '../retention/retention-policy.js';
import { backupModeFor } from '../storage/backup-files.js';
import { formatSnapshotId, parseSnapshotId, toBackupRecord } from '../storage/snapshot-id.js';
import type { StrategyServices } from './strategy-services.js';

/** A retention policy with `keepWithin` already parsed. */
export interface ResolvedRetention {
  policy: RetentionPolicy;
  keepWithinMs: number | undefined;
}

/**
 * What the built-in strategies share: every backup gets an id carrying its time, its sequence
 * in this store and its commit generation (see `formatSnapshotId`), and retention is applied by `prune` (after each successful commit, and
 * by `prevention prune`). Subclasses only
 * say how snapshots are stored, listed and deleted.
 */
export abstract class SnapshotStrategy implements BackupStrategy {
  abstract readonly name: string;

  constructor(
    protected readonly services: StrategyServices,
    private readonly retention: ResolvedRetention,
  ) {}

  /** Backups of `file`, newest first. */
  abstract list(file: string): Promise<BackupRecord[]>;
  /** The bytes of one backup. */
  abstract read(record: BackupRecord): Promise<Uint8Array>;
  /** Deletes one backup. */
  remove(record: BackupRecord): Promise<void> {
    return this.discard(record.file, [record]);
  }

  /** Stores `input` under `id`. */
  protected abstract store(input: BackupInput, id: string): Promise<void>;
  /** Deletes several backups of `file` at once. */
  protected abstract discard(file: string, records: readonly BackupRecord[]): Promise<void>;
  /** Takes from every stored backup of `file` the permission bits `mode` lacks. */
  protected abstract narrow(file: string, mode: number): Promise<void>;
  /** Bytes the store uses for `records`; by default their sum. */
  protected storedBytes(records: readonly BackupRecord[]): number {
    return records.reduce((total, r) => total + r.bytes, 0);
  }

  async save(input: BackupInput): Promise<BackupRecord> {
    const existing = await this.list(input.file);
    // The file was narrowed since the newest backup: the older ones must not stay readable to
    // those it no longer is. Done before the new one is stored, so a crash in between retries it.
    const mode = backupModeFor(input.mode);
    const previous = existing[0]?.attributes;
    if (previous && (backupModeFor(previous.mode) & ~mode) !== 0) await this.narrow(input.file, mode);
    const seq = Math.max(0, ...existing.map((r) => parseSnapshotId(r.id)?.seq ?? 0)) + 1;
    const meta = { createdAt: new Date(this.services.clock.now()), seq, bytes: input.bytes.length, sha256: input.sha256, generation: input.generation, attributes: input.attributes };
    const id = formatSnapshotId(meta);
    await this.store(input, id);
    return toBackupRecord(id, meta, input.file, this.name);
  }

  async prune(file: string, options: { dryRun: boolean }): Promise<PruneReport> {
    const { kept, removed } = planRetention(await this.list(file), this.retention.policy, {
      keepWithinMs: this.retention.keepWithinMs,
      storedBytes: (set) => this.storedBytes(set),
    });
    if (!options.dryRun && removed.length > 0) await this.discard(file, removed);
    return { file, strategy: this.name, kept, removed, dryRun: options.dryRun };
  }
}
