import { connect, ClientCodes, type PreventionClient } from '@prevention/client';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CliProject, type RunningCli } from './__tests__/support/cli-project.js';
import { describeWithPostgres } from './__tests__/support/server-suite.js';

/** The config of each machine: the shared store, names relative to the project, retention on the bus. */
const CONFIG = `import { defineConfig, sharedContextSchema } from '@prevention/core';
import { historyBackups, postgresStore } from '@prevention/store-postgres';

const store = postgresStore({ connectionString: process.env.PREVENTION_DATABASE_URL! }, { root: import.meta.dirname });
export default defineConfig({
  store,
  files: [{ path: 'shared_context.json', schema: sharedContextSchema, initial: { version: 1, events: [] } }],
  plugins: [historyBackups(store, { keepLast: 50 })],
});
`;

type Context = { version: number; events: unknown[]; counter?: number };

describeWithPostgres('prevention serve on a PostgreSQL store: two machines, each with its own service (real daemons, a real server)', (server) => {
  const machines: Array<{ project: CliProject; serve: RunningCli; client: PreventionClient }> = [];
  let db: pg.Client;
  beforeAll(async () => {
    const url = server().url(await server().createDatabase('serve'));
    db = new pg.Client({ connectionString: url });
    await db.connect();
    for (let i = 0; i < 2; i++) {
      const project = await CliProject.create({ 'package.json': '{"type":"module"}', 'prevention.config.ts': CONFIG }, { PREVENTION_DATABASE_URL: url });
      const serve = project.start(['serve']);
      await serve.waitFor('prevention serve is listening');
      machines.push({ project, serve, client: await connect({ cwd: project.dir, autoStart: false }) });
    }
  }, 120_000);
  afterAll(async () => {
    for (const { client, serve, project } of machines) {
      await client.close();
      serve.child.kill('SIGTERM');
      await serve.exited;
      await project.remove();
    }
    await db?.end();
  });

  it('loses no update and gives every publish one gapless seq, whichever service each client calls', async () => {
    const [a, b] = machines.map((m) => m.client) as [PreventionClient, PreventionClient];
    const UPDATES = 15;
    const PUBLISHES = 15;
    const work: Array<Promise<unknown>> = [];
    for (const [name, client] of [['a', a], ['b', b]] as const) {
      for (let i = 0; i < UPDATES; i++) work.push(client.update<Context>('shared_context.json', (doc) => void (doc.counter = (doc.counter ?? 0) + 1)));
      for (let i = 0; i < PUBLISHES; i++) work.push(client.bus('shared_context.json').publish({ type: 'step', source: name, payload: { i } }));
    }
    const published = (await Promise.all(work)).filter((r): r is { seq: number; id: string } => typeof (r as { seq?: unknown }).seq === 'number');
    expect(published).toHaveLength(2 * PUBLISHES);
    for (const client of [a, b]) {
      const doc = await client.read<Context>('shared_context.json');
      expect(doc.counter).toBe(2 * UPDATES);
      const events = await client.bus('shared_context.json').events();
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 2 * PUBLISHES }, (_, i) => i + 1));
      expect(new Set(events.map((e) => e.id))).toEqual(new Set(published.map((e) => e.id)));
    }
    // The database holds exactly what both services acknowledged.
    const { rows } = await db.query<{ body: Buffer }>(`SELECT body FROM prevention_documents WHERE name = 'shared_context.json'`);
    expect((JSON.parse(rows[0]!.body.toString()) as Context).counter).toBe(2 * UPDATES);
  });

  it('refuses a write on a version another machine replaced (412 on a stale ETag), and the next conditional write lands', async () => {
    const [a, b] = machines.map((m) => m.client) as [PreventionClient, PreventionClient];
    const seen = await a.readVersion<Context>('shared_context.json');
    await b.update<Context>('shared_context.json', (doc) => void (doc.counter = -1));
    await expect(a.write('shared_context.json', { ...seen.document, counter: 99 }, { ifMatch: seen.sha256! })).rejects.toMatchObject({ code: ClientCodes.PRECONDITION_FAILED });
    expect((await b.read<Context>('shared_context.json')).counter).toBe(-1);
    const fresh = await a.readVersion<Context>('shared_context.json');
    await a.write('shared_context.json', { ...fresh.document, counter: 100 }, { ifMatch: fresh.sha256! });
    expect((await b.read<Context>('shared_context.json')).counter).toBe(100);
  });
});
