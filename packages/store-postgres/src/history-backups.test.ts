import { beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { createEngine, type EngineApi } from '@prevention/core';
import { describeWithPostgres } from './__tests__/support/server-suite.js';
import { historyBackups, postgresStore, type HistoryBackupOptions, type PostgresStore } from './index.js';

const SCHEMA = { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } };

describeWithPostgres('the PostgreSQL history as the engine\'s backups', (server) => {
  let schemas = 0;
  beforeAll(async () => {
    await server().createDatabase('history');
  });

  async function open(options: HistoryBackupOptions = {}): Promise<{ store: PostgresStore; engine: EngineApi; admin: pg.Client; close(): Promise<void> }> {
    const schema = `history_${++schemas}`;
    const store = postgresStore({ connectionString: server().url('history') }, { schema, root: '/team' });
    const engine = await createEngine({ cwd: '/team', config: false, store, plugins: [historyBackups(store, options)], files: [{ path: 'doc.json', schema: SCHEMA }] });
    const admin = new pg.Client({ connectionString: server().url('history') });
    await admin.connect();
    return { store, engine, admin, close: async () => { await engine.close(); await store.close(); await admin.end(); } };
  }

  it('lists every committed version newest first, by generation, and restores one as a new version', async () => {
    const { engine, close } = await open();
    try {
      const shas = [];
      for (const n of [1, 2, 3]) shas.push((await engine.write('doc.json', { n })).sha256);
      const backups = await engine.backups('doc.json');
      expect(backups.map((b) => b.generation)).toEqual([3, 2, 1]);
      expect(backups.map((b) => b.sha256)).toEqual([...shas].reverse());
      await engine.restore('doc.json', { id: backups[2]!.id });
      expect(await engine.read('doc.json')).toEqual({ n: 1 });
      const after = await engine.backups('doc.json');
      expect(after.map((b) => b.generation)).toEqual([4, 3, 2, 1]);
      expect(after[0]!.sha256).toBe(shas[0]);
    } finally {
      await close();
    }
  });

  it('repairs a document an out-of-band UPDATE made unparseable or schema-invalid from the history, and keeps the bad bytes in quarantine', async () => {
    const { store, engine, admin, close } = await open();
    try {
      await engine.write('doc.json', { n: 1 });
      await engine.write('doc.json', { n: 2 });
      for (const [bad, next] of [['{"n": 2', 3], ['{"n": "two"}', 4]] as const) {
        await admin.query(`UPDATE ${store.tableNames.documents} SET body = $1 WHERE name = 'doc.json'`, [Buffer.from(bad)]);
        // A reader is refused (never handed damage); the next writer repairs it, then applies its update.
        await expect(engine.read('doc.json')).rejects.toMatchObject({ code: expect.stringMatching(/CORRUPT|VALIDATION/) });
        await engine.update<{ n: number }>('doc.json', (doc) => void (doc.n += 1));
        expect(await engine.read('doc.json')).toEqual({ n: next });
        const { rows } = await admin.query<{ body: Buffer }>(`SELECT body FROM ${store.tableNames.documents} WHERE name = 'doc.json'`);
        expect(JSON.parse(rows[0]!.body.toString())).toEqual({ n: next });
      }
      const kept = await admin.query<{ body: Buffer }>(`SELECT body FROM ${store.tableNames.quarantine} ORDER BY id`);
      expect(kept.rows.map((r) => r.body.toString())).toEqual(['{"n": 2', '{"n": "two"}']);
    } finally {
      await close();
    }
  });

  it('applies the outside-write policy to a valid out-of-band UPDATE: the last commit is put back, the outside version quarantined', async () => {
    const { store, engine, admin, close } = await open();
    try {
      await engine.write('doc.json', { n: 1 });
      await admin.query(`UPDATE ${store.tableNames.documents} SET body = $1 WHERE name = 'doc.json'`, [Buffer.from('{"n": 99}')]);
      await expect(engine.read('doc.json')).rejects.toMatchObject({ code: expect.stringMatching(/CORRUPT|OUTSIDE/) });
      await engine.update<{ n: number }>('doc.json', (doc) => void (doc.n += 1));
      expect(await engine.read('doc.json')).toEqual({ n: 2 });
      const kept = await admin.query<{ body: Buffer }>(`SELECT body FROM ${store.tableNames.quarantine}`);
      expect(kept.rows.map((r) => r.body.toString())).toEqual(['{"n": 99}']);
    } finally {
      await close();
    }
  });

  it('applies the backup plugin\'s retention rules to the history, and always keeps the current version', async () => {
    const { engine, close } = await open({ keepLast: 2 });
    try {
      for (const n of [1, 2, 3, 4, 5]) await engine.write('doc.json', { n });
      expect((await engine.backups('doc.json')).map((b) => b.generation)).toEqual([5, 4]);
    } finally {
      await close();
    }
    // All commits of one day: keepDaily 1 keeps one version, the newest (the current one).
    const daily = await open({ keepDaily: 1 });
    try {
      for (const n of [1, 2, 3]) await daily.engine.write('doc.json', { n });
      expect((await daily.engine.backups('doc.json')).map((b) => b.generation)).toEqual([3]);
      expect(await daily.engine.read('doc.json')).toEqual({ n: 3 });
    } finally {
      await daily.close();
    }
  });
});
