import atomically from './atomically.mjs';
import betterSqlite3 from './better-sqlite3.mjs';
import fsWriteFile from './fs-write-file.mjs';
import lockfileWriteFileAtomic from './lockfile-write-file-atomic.mjs';
import lowdb from './lowdb.mjs';
import { preventionBus, preventionBusBackup, preventionUpdate } from './prevention.mjs';
import preventionServe from './prevention-serve.mjs';
import { naivePostgres, preventionPostgres } from './postgres.mjs';
import rawFloor from './raw-floor.mjs';
import writeFileAtomic from './write-file-atomic.mjs';

/** Every competitor, the raw floor first: tables list them in this order. */
export const competitors = [rawFloor, preventionBus, preventionUpdate, preventionBusBackup, preventionServe, writeFileAtomic, atomically, lowdb, lockfileWriteFileAtomic, betterSqlite3, fsWriteFile];

/** The competitors on a PostgreSQL server, run only by the workload that starts one. */
export const postgresCompetitors = [preventionPostgres, naivePostgres];

export function competitorById(id) {
  const known = [...competitors, ...postgresCompetitors];
  const found = known.find((c) => c.id === id);
  if (!found) throw new Error(`unknown competitor "${id}" (known: ${known.map((c) => c.id).join(', ')})`);
  return found;
}
