import { randomUUID } from 'node:crypto';
import { definePlugin, parseDuration, type BackupInput, type BackupRecord, type BackupStrategy, type Plugin, type PruneReport } from '@prevention/core';
import { planRetention, type RetentionPolicy } from '@prevention/plugin-backup';
import { databaseError } from './database-errors.js';
import type { PostgresStore } from './postgres-store.js';

/**
 * Options of {@link historyBackups}. Retention takes the backup plugin's rules (`keepLast`,
 * `keepHourly`, `keepDaily`, `keepWeekly`, `keepWithin`, `maxTotalBytes`), applied after every
 * commit; the current version is always kept. Without a rule every version is kept.
 */
export interface HistoryBackupOptions extends RetentionPolicy {
  /** Strategy name, for `prevention backups` and events; default `postgres-history`. */
  name?: string;
  /** How many of the newest versions `list` returns (the engine lists on every commit); default 100. */
  listLimit?: number;
}

const RULES = ['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepWithin', 'maxTotalBytes'] as const;

/** The id of a version saved before its commit's transaction: the row only exists once it commits. */
const PENDING = 'pending:';

interface HistoryRow {
  generation: string;
  token: string;
  sha256: string;
  size: number;
  created_at: Date;
}

/**
 * The store's history table as a {@link BackupStrategy}, so `backups`, `restore` and repair work
 * on PostgreSQL with no copies elsewhere: the commit's own transaction writes the version's
 * history row, so `save` of a commit has nothing to write (its record names the version until
 * the row exists, and a failed commit leaves no row, so `remove` of it has nothing to delete). A
 * version found in the document row that the history lacks (an outside write being replaced) is
 * saved as a row of its own. Generations are the rows' generations: commit order, whatever the
 * clocks of the machines say.
 */
export class HistoryBackups implements BackupStrategy {
  readonly name: string;

  constructor(
    private readonly store: PostgresStore,
    private readonly options: HistoryBackupOptions = {},
  ) {
    this.name = options.name ?? 'postgres-history';
  }

  async save(input: BackupInput): Promise<BackupRecord> {
    const base = { file: input.file, strategy: this.name, createdAt: new Date(), generation: input.generation, sha256: input.sha256, bytes: input.bytes.length };
    if (input.reason === 'commit') return { ...base, id: `${PENDING}${input.sha256}` };
    const t = this.store.tableNames;
    const token = `saved:${randomUUID()}`;
    try {
      const saved = await this.store.pool.query<{ generation: string }>(
        `INSERT INTO ${t.history} (name, generation, token, body, sha256, size)
         SELECT $1, coalesce(max(generation), 0) + 1, $2, $3, $4, $5 FROM ${t.history} WHERE name = $1 RETURNING generation`,
        [this.store.keyOf(input.file), token, Buffer.from(input.bytes), input.sha256, input.bytes.length],
      );
      return { ...base, id: `${saved.rows[0]!.generation}:${token}`, generation: Number(saved.rows[0]!.generation) };
    } catch (err) {
      throw databaseError('saving the version found to the history', input.file, err);
    }
  }

  async list(file: string): Promise<BackupRecord[]> {
    const t = this.store.tableNames;
    try {
      const rows = await this.store.pool.query<HistoryRow>(
        `SELECT generation, token, sha256, size, created_at FROM ${t.history} WHERE name = $1 ORDER BY generation DESC LIMIT $2`,
        [this.store.keyOf(file), this.options.listLimit ?? 100],
      );
      return rows.rows.map((row) => this.recordOf(file, row));
    } catch (err) {
      throw databaseError('listing the history', file, err);
    }
  }

  async read(record: BackupRecord): Promise<Uint8Array> {
    const t = this.store.tableNames;
    const key = this.store.keyOf(record.file);
    try {
      const rows = record.id.startsWith(PENDING)
        ? await this.store.pool.query<{ body: Buffer }>(`SELECT body FROM ${t.history} WHERE name = $1 AND sha256 = $2 ORDER BY generation DESC LIMIT 1`, [key, record.sha256])
        : await this.store.pool.query<{ body: Buffer }>(`SELECT body FROM ${t.history} WHERE name = $1 AND token = $2`, [key, tokenOf(record.id)]);
      const row = rows.rows[0];
      if (!row) throw new Error(`no history row ${record.id}`);
      return row.body;
    } catch (err) {
      throw databaseError('reading a version from the history', record.file, err);
    }
  }

  async remove(record: BackupRecord): Promise<void> {
    // A commit that failed rolled its row back with it; the row a later step undid is removed by
    // the store's revert. Only a saved row is this strategy's to delete.
    if (record.id.startsWith(PENDING)) return;
    const t = this.store.tableNames;
    try {
      await this.store.pool.query(`DELETE FROM ${t.history} WHERE name = $1 AND token = $2`, [this.store.keyOf(record.file), tokenOf(record.id)]);
    } catch (err) {
      throw databaseError('removing a version from the history', record.file, err);
    }
  }

  /** Applies the retention rules to the history of `file`, keeping the current version whatever they say. */
  async prune(file: string, options: { dryRun: boolean }): Promise<PruneReport> {
    const t = this.store.tableNames;
    const key = this.store.keyOf(file);
    const report: PruneReport = { file, strategy: this.name, kept: [], removed: [], dryRun: options.dryRun };
    if (!RULES.some((rule) => this.options[rule] !== undefined)) return report;
    try {
      const rows = await this.store.pool.query<HistoryRow & { current: boolean }>(
        `SELECT h.generation, h.token, h.sha256, h.size, h.created_at, (d.token IS NOT NULL) AS current
         FROM ${t.history} h LEFT JOIN ${t.documents} d ON d.name = h.name AND d.token = h.token WHERE h.name = $1 ORDER BY h.generation DESC`,
        [key],
      );
      const records = rows.rows.map((row) => this.recordOf(file, row));
      const current = new Set(rows.rows.filter((row) => row.current).map((row) => `${row.generation}:${row.token}`));
      const keepWithinMs = this.options.keepWithin === undefined ? undefined : parseDuration(this.options.keepWithin, 'keepWithin');
      const plan = planRetention(records, this.options, keepWithinMs === undefined ? {} : { keepWithinMs });
      report.removed = plan.removed.filter((record) => !current.has(record.id));
      report.kept = records.filter((record) => !report.removed.includes(record));
      if (!options.dryRun && report.removed.length > 0) {
        await this.store.pool.query(`DELETE FROM ${t.history} WHERE name = $1 AND token = ANY($2::text[])`, [key, report.removed.map((r) => tokenOf(r.id))]);
      }
      return report;
    } catch (err) {
      throw databaseError('applying retention to the history', file, err);
    }
  }

  private recordOf(file: string, row: HistoryRow): BackupRecord {
    return { id: `${row.generation}:${row.token}`, file, strategy: this.name, createdAt: row.created_at, generation: Number(row.generation), sha256: row.sha256, bytes: row.size };
  }
}

const tokenOf = (id: string): string => id.slice(id.indexOf(':') + 1);

const plugin = definePlugin<{ store: PostgresStore } & HistoryBackupOptions, void>({
  name: 'postgres-history',
  register(api, options) {
    api.addBackupStrategy(new HistoryBackups(options.store, options));
  },
});

/**
 * The plugin that makes the PostgreSQL store's history the engine's backups:
 * `createEngine({ store, plugins: [historyBackups(store)] })`. Then `engine.backups(file)` lists
 * the versions, `engine.restore(file, { id })` puts one back (as a new version, through the
 * pipeline), and a document found damaged is repaired from the newest version that validates.
 */
export function historyBackups(store: PostgresStore, options: HistoryBackupOptions = {}): Plugin<{ store: PostgresStore } & HistoryBackupOptions, void> {
  return plugin({ store, ...options });
}
