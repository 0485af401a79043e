import { fileStamp, type BackupRecord, type FileAttributes } from '@prevention/core';

/** What a backup's id records about it, so listing needs no reads and no separate metadata. */
export interface SnapshotMeta {
  createdAt: Date;
  /** Save order within one strategy and file: breaks ties between backups made in the same millisecond. */
  seq: number;
  bytes: number;
  sha256: string;
  /** Commit generation across strategies (see `BackupRecord.generation`); absent in ids saved before it existed. */
  generation?: number;
  /** The data file's mode and owner at save time; absent for a file not on disk yet, and in older ids. */
  attributes?: FileAttributes;
}

const ID = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z\.(\d+)\.(\d+)\.([0-9a-f]{64})(?:\.g(\d+))?(?:\.a([0-7]{1,4})-(\d+)-(\d+))?$/;

/**
 * The id of a backup: `<time>.<seq>.<bytes>.<sha256>.g<generation>.a<mode>-<uid>-<gid>`, for
 * example `2026-11-26T19-30-00-123Z.000042.1234.e3b0….g17.a600-1000-1000` (mode in octal). It
 * sorts by time as text and carries the sha256 recorded at save time, the commit generation and
 * the data file's mode and owner, so the id is their durable record.
 */
export function formatSnapshotId(meta: SnapshotMeta): string {
  const generation = meta.generation === undefined ? '' : `.g${meta.generation}`;
  const attributes = meta.attributes === undefined ? '' : `.a${meta.attributes.mode.toString(8)}-${meta.attributes.uid}-${meta.attributes.gid}`;
  return `${fileStamp(meta.createdAt)}.${String(meta.seq).padStart(6, '0')}.${meta.bytes}.${meta.sha256}${generation}${attributes}`;
}

/** Reads an id back; `undefined` for anything that is not one (foreign files in the directory). */
export function parseSnapshotId(id: string): SnapshotMeta | undefined {
  const match = ID.exec(id);
  if (!match) return undefined;
  const [, day, hh, mm, ss, ms, seq, bytes, sha256, generation, mode, uid, gid] = match;
  const createdAt = new Date(`${day}T${hh}:${mm}:${ss}.${ms}Z`);
  if (Number.isNaN(createdAt.getTime())) return undefined;
  return {
    createdAt,
    seq: Number(seq),
    bytes: Number(bytes),
    sha256: sha256!,
    ...(generation === undefined ? {} : { generation: Number(generation) }),
    ...(mode === undefined ? {} : { attributes: { mode: parseInt(mode, 8), uid: Number(uid), gid: Number(gid) } }),
  };
}

/** The {@link BackupRecord} for a parsed id. */
export function toBackupRecord(id: string, meta: SnapshotMeta, file: string, strategy: string): BackupRecord {
  const { createdAt, sha256, bytes, generation, attributes } = meta;
  return { id, file, strategy, createdAt, sha256, bytes, ...(generation === undefined ? {} : { generation }), ...(attributes === undefined ? {} : { attributes }) };
}

/** Newest first: by save order, which (unlike a wall clock) never goes backwards. */
export function newestFirst<T extends { meta: SnapshotMeta }>(a: T, b: T): number {
  return b.meta.seq - a.meta.seq;
}
