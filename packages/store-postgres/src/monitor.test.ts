import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CliProject, type RunningCli } from './__tests__/support/cli-project.js';
import { describeWithPostgres } from './__tests__/support/server-suite.js';

/**
 * Two machines' worth of config on one database: the shared context restores any outside write,
 * the notes accept a valid one. Validation runs once an hour, so within a test only the first
 * pass and the store's change feed can make the monitor look.
 */
const CONFIG = `import { defineConfig, sharedContextSchema } from '@prevention/core';
import { monitor } from '@prevention/plugin-monitor';
import { historyBackups, postgresStore } from '@prevention/store-postgres';

const store = postgresStore({ connectionString: process.env.PREVENTION_DATABASE_URL! }, { root: import.meta.dirname });
export default defineConfig({
  store,
  files: [
    { path: 'shared_context.json', schema: sharedContextSchema, initial: { version: 1, events: [] } },
    { path: 'notes/*.json', onOutsideWrite: 'accept' },
  ],
  plugins: [historyBackups(store, { keepLast: 20 }), monitor({ validateEvery: '1h', healthEvery: '1h' })],
});
`;

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describeWithPostgres('the monitor on a PostgreSQL store (a real daemon, a real server)', (server) => {
  let project: CliProject;
  let db: pg.Client;
  let daemon: RunningCli | undefined;
  const row = async (name: string): Promise<{ body: Buffer; sha256: string; generation: string }> =>
    (await db.query<{ body: Buffer; sha256: string; generation: string }>('SELECT body, sha256, generation FROM prevention_documents WHERE name = $1', [name])).rows[0]!;

  beforeAll(async () => {
    const url = server().url(await server().createDatabase('monitored'));
    db = new pg.Client({ connectionString: url });
    await db.connect();
    project = await CliProject.create({ 'package.json': '{"type":"module"}', 'prevention.config.ts': CONFIG }, { PREVENTION_DATABASE_URL: url });
    for (const [file, type] of [['shared_context.json', 'one'], ['shared_context.json', 'two'], ['notes/plan.json', 'drafted']]) {
      const published = await project.run(['publish', file!, '-t', type!, '-s', 'setup']);
      expect(published.code, published.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    daemon?.child.kill('SIGKILL');
    await db?.end();
    await project?.remove();
  });

  it('judges every document, the globbed ones listed from the store, and the store\'s health in one pass', async () => {
    const once = await project.run(['monitor', '--once']);
    expect(once.code, once.stdout + once.stderr).toBe(0);
    expect(once.stdout).toMatch(/"files":2,.*"check pass: every file intact, every health check passing"/);
  });

  it('repairs from history, at once, an UPDATE that broke the schema and one that bypassed the commit record; adopts a valid one where the policy accepts', async () => {
    daemon = project.start(['monitor', '--port', '0']);
    await daemon.waitFor('"msg":"monitoring"');
    const committed = await row('shared_context.json');

    await db.query(`UPDATE prevention_documents SET body = convert_to('{"version":1,"events":"none"}', 'UTF8') WHERE name = 'shared_context.json'`);
    await daemon.waitFor('"kind":"schema-mismatch","action":"restore","detectedToRepairMs"');
    let now = await row('shared_context.json');
    expect(now.sha256).toBe(committed.sha256);
    expect(now.body.equals(committed.body)).toBe(true);

    // Valid, but no commit: the shared context's policy (restore) puts the last commit back.
    const forged = JSON.parse(committed.body.toString()) as { events: unknown[] };
    forged.events.push({ ...(forged.events[1] as object), id: 'forged', seq: 3 });
    await db.query('UPDATE prevention_documents SET body = $1 WHERE name = $2', [Buffer.from(JSON.stringify(forged)), 'shared_context.json']);
    await daemon.waitFor('"kind":"modified","action":"restore","detectedToRepairMs"');
    now = await row('shared_context.json');
    expect(now.sha256).toBe(committed.sha256);
    const kept = await db.query<{ body: Buffer }>(`SELECT body FROM prevention_quarantine WHERE name = 'shared_context.json' ORDER BY id`);
    expect(kept.rows.map((r) => r.body.toString())).toEqual(['{"version":1,"events":"none"}', JSON.stringify(forged)]);

    // The notes accept a valid outside write: it becomes a commit of its own, with its history row.
    const note = await row('notes/plan.json');
    const edited = Buffer.from(JSON.stringify({ ...JSON.parse(note.body.toString()), reviewed: true }));
    await db.query('UPDATE prevention_documents SET body = $1 WHERE name = $2', [edited, 'notes/plan.json']);
    await daemon.waitFor('"action":"accept","detectedToRepairMs"');
    now = await row('notes/plan.json');
    expect(JSON.parse(now.body.toString())).toEqual(JSON.parse(edited.toString()));
    // Two history rows: the outside version byte for byte as the UPDATE left it (the backup of
    // what the adoption replaces), then the adopted commit, in the engine's own serialization.
    expect(Number(now.generation)).toBe(Number(note.generation) + 2);
    const history = await db.query<{ generation: string; body: Buffer }>(`SELECT generation, body FROM prevention_history WHERE name = 'notes/plan.json' AND generation > $1 ORDER BY generation`, [note.generation]);
    expect(history.rows.map((r) => [Number(r.generation), r.body.toString()])).toEqual([
      [Number(note.generation) + 1, edited.toString()],
      [Number(note.generation) + 2, now.body.toString()],
    ]);
    const record = await db.query<{ sha256: string }>(`SELECT sha256 FROM prevention_commit_records WHERE name = 'notes/plan.json'`);
    expect(record.rows[0]!.sha256).toBe(sha256(now.body));

    expect((await project.run(['check'])).code).toBe(0);
    daemon.child.kill('SIGTERM');
    const stopped = await daemon.exited;
    expect(stopped.code, stopped.stdout + stopped.stderr).toBe(0);
    daemon = undefined;
  });
});
