import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { createEngine, type EngineApi } from '@prevention/core';
import { describeWithPostgres } from './__tests__/support/server-suite.js';
import { postgresStore, type PostgresStore, type StoreFaults } from './index.js';

describeWithPostgres('bus retention on PostgreSQL: the archive is a table, written in the commit that drops the events', (server) => {
  let schemas = 0;
  beforeAll(async () => {
    await server().createDatabase('archive');
  });

  /** Two "machines": separate engines and pools, with different working directories, on one schema. */
  async function machines(faults: StoreFaults = {}): Promise<{ a: EngineApi; b: EngineApi; store: PostgresStore; admin: pg.Client; close(): Promise<void> }> {
    const schema = `archive_${++schemas}`;
    // Real directories, so a bus that kept its archive in files beside the document would find them, on its own machine only.
    const [rootA, rootB] = await Promise.all(['a', 'b'].map((m) => mkdtemp(path.join(os.tmpdir(), `prevention-machine-${m}-`))));
    const storeA = postgresStore({ connectionString: server().url('archive') }, { schema, root: rootA, faults });
    const storeB = postgresStore({ connectionString: server().url('archive') }, { schema, root: rootB });
    const a = await createEngine({ cwd: rootA, config: false, store: storeA, logger: { level: 'silent' } });
    const b = await createEngine({ cwd: rootB, config: false, store: storeB, logger: { level: 'silent' } });
    const admin = new pg.Client({ connectionString: server().url('archive') });
    await admin.connect();
    return {
      a,
      b,
      store: storeA,
      admin,
      close: async () => {
        await Promise.all([a.close(), b.close()]);
        await Promise.all([storeA.close(), storeB.close()]);
        await admin.end();
      },
    };
  }

  it('moves events past maxEvents to the archive table, and another machine reads every event 1..N', async () => {
    const { a, b, store, admin, close } = await machines();
    try {
      const busA = a.bus('ctx.json', { maxEvents: 4 });
      const busB = b.bus('ctx.json', { maxEvents: 4 });
      for (let i = 0; i < 6; i++) await busA.publish({ type: 'step', source: 'a', payload: { i } });
      for (let i = 6; i < 10; i++) await busB.publish({ type: 'step', source: 'b', payload: { i } });
      const live = (await b.read('ctx.json')) as { events: unknown[] };
      expect(live.events).toHaveLength(4);
      for (const reader of [busA, busB]) {
        const all = await reader.events();
        expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect(all.map((e) => (e.payload as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      }
      const { rows } = await admin.query<{ seq: number }>(`SELECT seq FROM ${store.tableNames.eventArchive} WHERE name = 'ctx.json' ORDER BY seq`);
      expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5, 6]);
      await busA.close();
      await busB.close();
    } finally {
      await close();
    }
  });

  it('archives nothing for a publish whose transaction rolls back, and the next publish takes the next seq', async () => {
    let failNext = false;
    const { a, b, store, admin, close } = await machines({
      beforeCommit: () => {
        if (!failNext) return;
        failNext = false;
        throw new Error('injected rollback');
      },
    });
    try {
      const bus = a.bus('ctx.json', { maxEvents: 2 });
      for (let i = 0; i < 3; i++) await bus.publish({ type: 'step', source: 'a', payload: { i } });
      failNext = true;
      await expect(bus.publish({ type: 'step', source: 'a', payload: { i: 'lost' } })).rejects.toThrow();
      const archived = async () =>
        (await admin.query<{ seq: number }>(`SELECT seq FROM ${store.tableNames.eventArchive} ORDER BY seq`)).rows.map((r) => Number(r.seq));
      expect(await archived()).toEqual([1]);
      await bus.publish({ type: 'step', source: 'a', payload: { i: 3 } });
      expect(await archived()).toEqual([1, 2]);
      const all = await b.bus('ctx.json').events();
      expect(all.map((e) => [e.seq, (e.payload as { i: unknown }).i])).toEqual([[1, 0], [2, 1], [3, 2], [4, 3]]);
      await bus.close();
    } finally {
      await close();
    }
  });
});
