import { PostgresServer, postgresAvailability } from '@prevention/store-postgres/testing';
import { competitorById } from '../competitors/index.mjs';
import { runProcesses } from './multi-process.mjs';

/**
 * Issue 18's workload: 8 processes each appending to one shared document, in `update()`s alone
 * or alternating with `bus.publish`, on the file store, on the PostgreSQL store, and with the
 * naive `pg` read-modify-write, against a throw-away server started here (the machine's own PostgreSQL:
 * `initdb` in a temp directory, stopped and removed at the end).
 */
const COMPETITORS = ['prevention-update', 'prevention-mixed', 'prevention-postgres', 'prevention-postgres-mixed', 'naive-pg'];
export const POSTGRES_PROCESSES = 8;

export async function postgresWorkload({ quick = false, log = () => {} } = {}) {
  const availability = postgresAvailability();
  if (!availability.available) {
    log(`PostgreSQL: skipped (${availability.reason})`);
    return { skipped: availability.reason, rows: [] };
  }
  const server = await PostgresServer.start();
  const previous = process.env.PREVENTION_BENCH_PG_URL;
  try {
    process.env.PREVENTION_BENCH_PG_URL = server.url(await server.createDatabase('bench'));
    const rows = [];
    for (const id of COMPETITORS) {
      log(`PostgreSQL workload: ${id}, ${POSTGRES_PROCESSES} processes`);
      rows.push({ id, name: competitorById(id).name, ...(await runProcesses(competitorById(id), POSTGRES_PROCESSES, quick ? 3 : 25)) });
    }
    return { rows };
  } finally {
    if (previous === undefined) delete process.env.PREVENTION_BENCH_PG_URL;
    else process.env.PREVENTION_BENCH_PG_URL = previous;
    await server.stop();
  }
}
