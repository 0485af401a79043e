import atomically from './atomically.mjs';
import betterSqlite3 from './better-sqlite3.mjs';
import fsWriteFile from './fs-write-file.mjs';
import lockfileWriteFileAtomic from './lockfile-write-file-atomic.mjs';
import lowdb from './lowdb.mjs';
import { preventionBus, preventionBusBackup, preventionMixed, preventionUpdate } from './prevention.mjs';
import preventionServe from './prevention-serve.mjs';
import { naivePostgres, preventionPostgres, preventionPostgresMixed } from './postgres.mjs';
import rawFloor from './raw-floor.mjs';
import writeFileAtomic from './write-file-atomic.mjs';

/** Every competitor, the raw floor first: tables list them in this order. */
export const competitors = [rawFloor, preventionBus, preventionUpdate, preventionBusBackup, preventionServe, writeFileAtomic, atomically, lowdb, lockfileWriteFileAtomic, betterSqlite3, fsWriteFile];

/** The competitors run only by the workload that starts a PostgreSQL server: on it, and the file store's mixed appends to compare. */
export const postgresCompetitors = [preventionMixed, preventionPostgres, preventionPostgresMixed, naivePostgres];

export function competitorById(id) {
  const known = [...competitors, ...postgresCompetitors];
  const found = known.find((c) => c.id === id);
  if (!found) throw new Error(`unknown competitor "${id}" (known: ${known.map((c) => c.id).join(', ')})`);
  return found;
}
