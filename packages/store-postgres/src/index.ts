/**
 * `@prevention/store-postgres`: prevention's `DocumentStore` on PostgreSQL, for agents on
 * several machines sharing one set of documents.
 *
 * ```ts
 * import { createEngine } from '@prevention/core';
 * import { postgresStore } from '@prevention/store-postgres';
 *
 * const store = postgresStore({ connectionString: process.env.PREVENTION_DATABASE_URL! }, { root: '/srv/team' });
 * const engine = await createEngine({ cwd: '/srv/team', store });
 * await engine.update('shared_context.json', (doc) => { ... });
 * await engine.close();
 * await store.close();
 * ```
 */
import { PostgresStore, type PostgresConnection, type PostgresStoreOptions } from './postgres-store.js';

export { PostgresStore, type PostgresConnection, type PostgresStoreOptions, type StoreLogger, type StoreFaults } from './postgres-store.js';
export { AdvisoryLock } from './advisory-lock.js';
export { migrate, schemaStatus, SCHEMA_VERSION, type SchemaStatus } from './migrations.js';
export { isConnectionLoss } from './database-errors.js';
export { storeHealth, type StoreHealth, type StandbyHealth } from './store-health.js';
export { mirrorToFiles, LocalMirror, type LocalMirrorOptions, type MirroredDocument } from './local-mirror.js';
export { historyBackups, HistoryBackups, type HistoryBackupOptions } from './history-backups.js';

/**
 * A `DocumentStore` (kind `postgres`) on the database at `connection`: give it to
 * `createEngine({ store })`. Its tables are created by a versioned migration on first use (or by
 * `store.migrate()`); `store.schemaStatus()` reports the version applied. End it with
 * `store.close()` after the engine's `close()` (a pool passed in is left open).
 */
export function postgresStore(connection: PostgresConnection, options: PostgresStoreOptions = {}): PostgresStore {
  return new PostgresStore(connection, options);
}
