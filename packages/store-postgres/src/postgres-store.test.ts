import { beforeAll, expect, it } from 'vitest';
import { documentStoreContract } from '@prevention/core/testing';
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
      expect(await store.health()).toMatchObject({ ok: false, primary: true, schema: { applied: 0, required: 1 }, problems: [expect.stringMatching(/run the migration/)] });
      await store.migrate();
      expect(await store.health()).toMatchObject({ ok: true, primary: true, schema: { applied: 1, required: 1 }, standbys: [], problems: [] });
      expect(await away.health()).toMatchObject({ ok: false, problems: [expect.stringMatching(/does not answer/)] });
    } finally {
      await Promise.all([store.close(), away.close()]);
    }
  });

  it('reports the migration it applied', async () => {
    const store = postgresStore({ connectionString: server().url('contract') }, { schema: 'migrated' });
    try {
      expect(await store.migrations().status()).toMatchObject({ applied: 0, pending: [{ version: 1, description: expect.stringContaining('documents') }] });
      await store.prepare('/project/doc.json');
      const status = await store.schemaStatus();
      expect(status.applied).toBe(1);
      expect(status.required).toBe(1);
      expect(status.migrations.map((m) => m.version)).toEqual([1]);
      expect(status.pending).toEqual([]);
      expect(await store.migrations().apply()).toMatchObject({ applied: 1, pending: [] });
    } finally {
      await store.close();
    }
  });
});
