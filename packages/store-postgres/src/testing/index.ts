/**
 * For tests and benchmarks of code on the PostgreSQL store: a throw-away server of the machine's
 * own PostgreSQL binaries (`initdb` in a temp directory, `pg_ctl start` on the loopback and a
 * private port), stopped and removed by the caller.
 */
export { PostgresServer, postgresAvailability, postgresBinDir } from './postgres-server.js';
