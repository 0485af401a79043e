import type { Pool } from 'pg';
import { schemaStatus } from './migrations.js';

/** One standby streaming from the primary, as `pg_stat_replication` reports it. */
export interface StandbyHealth {
  name: string;
  state: string;
  /** `sync`, `async`, `quorum` or `potential`: whether commits wait for it. */
  syncState: string;
  /** How far behind it replays, in milliseconds (`undefined` while the server has no measure yet). */
  replayLagMs: number | undefined;
}

/** What {@link storeHealth} found. */
export type StoreHealth =
  | {
      ok: boolean;
      /** Round trip of a trivial query, in milliseconds. */
      latencyMs: number;
      /** False when the server is a standby: the truth must be read from, and written to, the primary. */
      primary: boolean;
      schema: { applied: number; required: number };
      standbys: StandbyHealth[];
      problems: string[];
    }
  | { ok: false; error: string; problems: string[] };

/**
 * Checks what the store depends on, for a health endpoint or `prevention status`: the connection
 * answers, the server is a primary, the migrations are applied, and the standbys (if any) with
 * how far they lag. Never throws: an unreachable server is reported as such.
 */
export async function storeHealth(pool: Pool, options: { schema?: string; maxReplayLagMs?: number } = {}): Promise<StoreHealth> {
  const started = Date.now();
  try {
    const [{ rows }, schema] = await Promise.all([
      pool.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby'),
      schemaStatus(pool, options),
    ]);
    const latencyMs = Date.now() - started;
    const primary = rows[0]?.standby === false;
    const standbys = primary
      ? (
          await pool.query<{ name: string; state: string; sync_state: string; lag_ms: number | null }>(
            'SELECT application_name AS name, state, sync_state, (extract(epoch FROM replay_lag) * 1000)::float8 AS lag_ms FROM pg_stat_replication ORDER BY application_name',
          )
        ).rows.map((r) => ({ name: r.name, state: r.state, syncState: r.sync_state, replayLagMs: r.lag_ms ?? undefined }))
      : [];
    const problems: string[] = [];
    if (!primary) problems.push('the server is a standby: point the store at the primary (never read the truth from a replica)');
    if (schema.applied < schema.required) problems.push(`the schema is at version ${schema.applied}, the store needs ${schema.required}: run the migration`);
    for (const standby of standbys) {
      if (options.maxReplayLagMs !== undefined && (standby.replayLagMs ?? 0) > options.maxReplayLagMs) {
        problems.push(`standby ${standby.name} replays ${Math.round(standby.replayLagMs!)} ms behind (limit ${options.maxReplayLagMs} ms)`);
      }
    }
    return { ok: problems.length === 0, latencyMs, primary, schema: { applied: schema.applied, required: schema.required }, standbys, problems };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { ok: false, error, problems: [`PostgreSQL does not answer: ${error}`] };
  }
}
