import type { BackupRecord, BackupStrategy, CommitRecord, DocumentStore, LastCommit, VersionStanding } from '../contract.js';
import { listBackups } from '../backup/select-backup.js';

/** Prevention's own records of a file's commits: the store's commit record and the backups. */
export interface CommitWitnesses {
  store: Pick<DocumentStore, 'lastRecord'>;
  strategies: readonly BackupStrategy[];
}

const fromJournal = (record: CommitRecord): LastCommit => ({ sha256: record.sha256, witness: 'journal', at: record.at });
const fromBackup = (record: BackupRecord): LastCommit => ({ sha256: record.sha256, witness: 'backup', at: record.createdAt.toISOString() });
const newestBackup = async (witnesses: CommitWitnesses, file: string) => (await listBackups(witnesses.strategies, file))[0]?.record;

/**
 * The last commit recorded for `file`: the journal's last line, else the newest backup. The
 * journal is the cheap witness but not a durable one (it is appended without fsync); backups are
 * written durably before every commit's rename, so they still say "committed" when a power cut
 * or a careless clean-up took the journal.
 */
export async function lastCommitOf(witnesses: CommitWitnesses, file: string): Promise<LastCommit | undefined> {
  const journal = await witnesses.store.lastRecord(file);
  if (journal) return fromJournal(journal);
  const newest = await newestBackup(witnesses, file);
  return newest && fromBackup(newest);
}

/**
 * The one rule writers, readers and the monitor apply to a version they load: it is prevention's
 * if its sha256 is the journal's last commit, or the newest backup's (a writer that died between
 * its rename and its journal line had saved the backup first); with no record at all the file was
 * never committed; anything else is an outside write, whatever its content.
 */
export async function standingOf(witnesses: CommitWitnesses, file: string, sha256: string): Promise<VersionStanding> {
  const journal = await witnesses.store.lastRecord(file);
  if (journal?.sha256 === sha256) return { kind: 'committed' };
  const newest = await newestBackup(witnesses, file);
  if (newest?.sha256 === sha256) return { kind: 'committed' };
  const lastCommit = journal ? fromJournal(journal) : newest && fromBackup(newest);
  return lastCommit ? { kind: 'outside', lastCommit } : { kind: 'never-committed' };
}
