import type { JsonValue, BackupRecord, BackupStrategy } from '../contract.js';
import { sha256Hex } from '../commit/sha256.js';
import { ErrorCodes, PreventionError } from '../errors.js';

/** A backup proven good: its bytes match the recorded sha256, parse, and pass the file's checks. */
export interface SelectedBackup {
  record: BackupRecord;
  strategy: BackupStrategy;
  bytes: Uint8Array;
  document: JsonValue;
}

/** Parses and checks a candidate's bytes; throws (any error) when it is not acceptable. */
export type BackupAcceptor = (bytes: Uint8Array) => JsonValue;

/** A backup as listed; for one without a generation, its place among its strategy's others without one (0 for the newest). */
interface Listed {
  record: BackupRecord;
  strategy: BackupStrategy;
  rank: number;
}

async function listOf(strategy: BackupStrategy, file: string): Promise<Listed[]> {
  let rank = 0;
  return (await strategy.list(file)).map((record) => ({ record, strategy, rank: record.generation === undefined ? rank++ : 0 }));
}

/**
 * Newest first in commit order: by generation; backups without one (made before generations
 * existed) after every backup that has one, interleaved rank by rank so each strategy's own
 * order is kept and no wall clock decides. Ties keep strategy order (the sort is stable).
 */
function newestFirst(a: Listed, b: Listed): number {
  const ga = a.record.generation;
  const gb = b.record.generation;
  if (ga !== undefined && gb !== undefined) return gb - ga;
  if (ga !== undefined) return -1;
  if (gb !== undefined) return 1;
  return a.rank - b.rank;
}

/** Every backup of `file` across strategies, newest first in commit order (see {@link BackupRecord.generation}). */
export async function listBackups(strategies: readonly BackupStrategy[], file: string): Promise<Array<{ record: BackupRecord; strategy: BackupStrategy }>> {
  const lists = await Promise.all(strategies.map((strategy) => listOf(strategy, file)));
  return lists
    .flat()
    .sort(newestFirst)
    .map(({ record, strategy }) => ({ record, strategy }));
}

/**
 * Picks the backup to restore: the one with `id` if given, else the newest whose bytes match
 * its recorded sha256 and that `accept` takes (parses, validates). Fails with
 * `PREVENTION_RESTORE_FAILED` listing why each candidate was passed over.
 */
export async function selectBackup(
  strategies: readonly BackupStrategy[],
  file: string,
  accept: BackupAcceptor,
  id?: string,
): Promise<SelectedBackup> {
  if (strategies.length === 0) {
    throw new PreventionError(ErrorCodes.RESTORE_FAILED, `cannot restore ${file}: no backup strategy is configured (add @prevention/plugin-backup)`, { file });
  }
  let candidates: Awaited<ReturnType<typeof listBackups>>;
  try {
    candidates = await listBackups(strategies, file);
  } catch (cause) {
    throw new PreventionError(ErrorCodes.RESTORE_FAILED, `cannot list the backups of ${file}: ${(cause as Error).message}`, { file, cause });
  }
  if (id !== undefined) candidates = candidates.filter((c) => c.record.id === id);
  const rejected: Array<{ id: string; strategy: string; reason: string }> = [];
  for (const { record, strategy } of candidates) {
    try {
      const bytes = await strategy.read(record);
      const sha256 = sha256Hex(bytes);
      if (sha256 !== record.sha256) throw new Error(`its content does not match its recorded sha256 (${record.sha256.slice(0, 12)}…)`);
      return { record, strategy, bytes, document: accept(bytes) };
    } catch (err) {
      rejected.push({ id: record.id, strategy: strategy.name, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  const what = id !== undefined ? `backup "${id}"` : 'any backup';
  const why = candidates.length === 0 ? 'none exists' : `${rejected.length} candidate(s) rejected: ${rejected.map((r) => `${r.id}: ${r.reason}`).join('; ')}`;
  throw new PreventionError(ErrorCodes.RESTORE_FAILED, `cannot restore ${file} from ${what}: ${why}`, { file, details: { rejected } });
}
