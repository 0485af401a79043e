import { beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { createEngine, type StoreWatch } from '@prevention/core';
import { documentStoreContract, waitFor } from '@prevention/core/testing';
import { describeWithPostgres } from './__tests__/support/server-suite.js';
import { postgresStore, type PostgresStore } from './index.js';

describeWithPostgres('PostgresStore keeps the DocumentStore contract', (server) => {
  let schemas = 0;
  beforeAll(async () => {
    await server().createDatabase('contract');
  });
  documentStoreContract(
    {
      make: async () => {
        // A fresh schema per test: fresh tables, migrated by the store on first use.
        const schema = `contract_${++schemas}`;
        const stores: PostgresStore[] = [];
        const open = (): PostgresStore => {
          const store = postgresStore({ connectionString: server().url('contract') }, { schema });
          stores.push(store);
          return store;
        };
        return { store: open(), name: '/project/doc.json', another: open, cleanup: async () => void (await Promise.all(stores.map((s) => s.close()))) };
      },
    },
    it,
  );

  it('reports its health: the migration missing, then applied; a server that does not answer', async () => {
    const store = postgresStore({ connectionString: server().url('contract') }, { schema: 'health' });
    const away = postgresStore({ connectionString: 'postgresql://postgres@127.0.0.1:1/contract', poolConfig: { connectionTimeoutMillis: 2_000 } });
    try {
      expect(await store.health()).toMatchObject({ status: 'fail', message: expect.stringMatching(/run the migration/), details: { ok: false, primary: true, schema: { applied: 0, required: 2 } } });
      await store.migrate();
      expect(await store.health()).toMatchObject({ status: 'ok', message: expect.stringMatching(/primary/), details: { ok: true, primary: true, schema: { applied: 2, required: 2 }, standbys: [], problems: [] } });
      expect(await away.health()).toMatchObject({ status: 'fail', message: expect.stringMatching(/does not answer/) });
    } finally {
      await Promise.all([store.close(), away.close()]);
    }
  });

  it('lists its documents by the engine\'s names, and tells a watcher of every change, an UPDATE that bypassed it and a lost LISTEN connection included', async () => {
    const store = postgresStore({ connectionString: server().url('contract') }, { schema: 'watched', root: '/team' });
    const admin = new pg.Client({ connectionString: server().url('contract') });
    await admin.connect();
    const heard: string[] = [];
    const errors: string[] = [];
    let watch: StoreWatch | undefined;
    try {
      const engine = await createEngine({ cwd: '/team', config: false, store });
      watch = await store.watch((name) => heard.push(name), (err) => errors.push(err.code));
      await engine.write('a.json', { n: 1 });
      await engine.write('docs/b.json', { n: 1 });
      expect(await store.list()).toEqual(['/team/a.json', '/team/docs/b.json']);
      await waitFor(() => heard.includes('/team/a.json') && heard.includes('/team/docs/b.json'), 'hearing of both commits');
      await admin.query(`UPDATE ${store.tableNames.documents} SET body = $1 WHERE name = 'a.json'`, [Buffer.from('{"n": 7}')]);
      await waitFor(() => heard.filter((n) => n === '/team/a.json').length >= 2, 'hearing of the outside UPDATE');
      // The feed's own backend terminated: it says so once, re-listens, and hears the next change.
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`);
      await waitFor(() => errors.length > 0, 'hearing that the feed was lost');
      const before = heard.length;
      await waitFor(async () => {
        await engine.update<{ n: number }>('docs/b.json', (doc) => void (doc.n += 1));
        return heard.slice(before).includes('/team/docs/b.json');
      }, 'hearing of a commit after the feed was re-made', { everyMs: 100 });
      expect(errors).toEqual(['PREVENTION_IO_FAILED']);
      await engine.close();
    } finally {
      await watch?.close();
      await Promise.all([store.close(), admin.end()]);
    }
  });

  it('reports the migration it applied', async () => {
    const store = postgresStore({ connectionString: server().url('contract') }, { schema: 'migrated' });
    try {
      expect(await store.migrations().status()).toMatchObject({ applied: 0, pending: [{ version: 1, description: expect.stringContaining('documents') }, { version: 2, description: expect.stringContaining('event archive') }] });
      await store.prepare('/project/doc.json');
      const status = await store.schemaStatus();
      expect(status.applied).toBe(2);
      expect(status.required).toBe(2);
      expect(status.migrations.map((m) => m.version)).toEqual([1, 2]);
      expect(status.pending).toEqual([]);
      expect(await store.migrations().apply()).toMatchObject({ applied: 2, pending: [] });
    } finally {
      await store.close();
    }
  });
});
