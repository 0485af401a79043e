import { fileStamp, type BackupRecord } from '@prevention/core';

/** What a backup's id records about it, so listing needs no reads and no separate metadata. */
export interface SnapshotMeta {
  createdAt: Date;
  /** Save order within one strategy and file: breaks ties between backups made in the same millisecond. */
  seq: number;
  bytes: number;
  sha256: string;
  /** Commit generation across strategies (see `BackupRecord.generation`); absent in ids saved before it existed. */
  generation?: number;
}

const ID = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z\.(\d+)\.(\d+)\.([0-9a-f]{64})(?:\.g(\d+))?$/;

/**
 * The id of a backup: `<time>.<seq>.<bytes>.<sha256>.g<generation>`, for example
 * `2026-11-26T19-30-00-123Z.000042.1234.e3b0….g17`. It sorts by time as text and carries the
 * sha256 recorded at save time and the commit generation, so the id is their durable record.
 */
export function formatSnapshotId(meta: SnapshotMeta): string {
  const generation = meta.generation === undefined ? '' : `.g${meta.generation}`;
  return `${fileStamp(meta.createdAt)}.${String(meta.seq).padStart(6, '0')}.${meta.bytes}.${meta.sha256}${generation}`;
}

/** Reads an id back; `undefined` for anything that is not one (foreign files in the directory). */
export function parseSnapshotId(id: string): SnapshotMeta | undefined {
  const match = ID.exec(id);
  if (!match) return undefined;
  const [, day, hh, mm, ss, ms, seq, bytes, sha256, generation] = match;
  const createdAt = new Date(`${day}T${hh}:${mm}:${ss}.${ms}Z`);
  if (Number.isNaN(createdAt.getTime())) return undefined;
  return { createdAt, seq: Number(seq), bytes: Number(bytes), sha256: sha256!, ...(generation === undefined ? {} : { generation: Number(generation) }) };
}

/** The {@link BackupRecord} for a parsed id. */
export function toBackupRecord(id: string, meta: SnapshotMeta, file: string, strategy: string): BackupRecord {
  return { id, file, strategy, createdAt: meta.createdAt, sha256: meta.sha256, bytes: meta.bytes, ...(meta.generation === undefined ? {} : { generation: meta.generation }) };
}

/** Newest first: by save order, which (unlike a wall clock) never goes backwards. */
export function newestFirst<T extends { meta: SnapshotMeta }>(a: T, b: T): number {
  return b.meta.seq - a.meta.seq;
}
