import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CliProject } from './__tests__/support/cli-project.js';
import { describeWithPostgres } from './__tests__/support/server-suite.js';

/** The config a team on several machines writes: the store and its history as the backups. */
const CONFIG = `import { defineConfig, sharedContextSchema } from '@prevention/core';
import { historyBackups, postgresStore } from '@prevention/store-postgres';

const store = postgresStore({ connectionString: process.env.PREVENTION_DATABASE_URL! }, { root: import.meta.dirname });
export default defineConfig({
  store,
  files: [{ path: 'shared_context.json', schema: sharedContextSchema, initial: { version: 1, events: [] } }, { path: 'notes/*.json' }],
  plugins: [historyBackups(store, { keepLast: 20 })],
});
`;

const json = <T>(text: string): T => JSON.parse(text) as T;

describeWithPostgres('the prevention CLI on a PostgreSQL store (real processes, a real server)', (server) => {
  let project: CliProject;
  let url: string;
  let db: pg.Client;
  beforeAll(async () => {
    url = server().url(await server().createDatabase('cli'));
    db = new pg.Client({ connectionString: url });
    await db.connect();
    project = await CliProject.create({ 'package.json': '{"type":"module"}', 'prevention.config.ts': CONFIG }, { PREVENTION_DATABASE_URL: url });
  });
  afterAll(async () => {
    await db?.end();
    await project?.remove();
  });

  it('db migrate --dry-run shows the pending migration and changes nothing; db migrate applies it, once', async () => {
    const dry = await project.run(['db', 'migrate', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^postgres store: schema version 0 of 2, 2 pending\n {2}pending {2}1 {2}documents, history.*\n {2}pending {2}2 {2}event archive/);
    expect((await db.query("SELECT to_regclass('prevention_documents') AS t")).rows[0].t).toBeNull();

    const applied = await project.run(['db', 'migrate']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/^applied 2 migration\(s\)\npostgres store: schema version 2 of 2, up to date\n {2}applied {2}1 {2}documents.*\n {2}applied {2}2 {2}event archive/);
    expect((await db.query("SELECT to_regclass('prevention_documents') AS t")).rows[0].t).toBe('prevention_documents');

    const again = await project.run(['db', 'migrate', '--json']);
    expect(json(again.stdout)).toMatchObject({ store: 'postgres', applied: 2, required: 2, pending: [], appliedNow: [] });
  });

  it('publish and events write and read the document in PostgreSQL, not on this disk', async () => {
    for (let i = 1; i <= 3; i++) {
      const published = await project.run(['publish', 'shared_context.json', '-t', `step-${i}`, '-s', 'cli', '--payload', `{"i":${i}}`]);
      expect(published.code, published.stderr).toBe(0);
      expect(published.stdout).toMatch(new RegExp(`^published step-${i} as seq ${i} `));
    }
    const listed = await project.run(['events', 'shared_context.json', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.trim().split('\n').map((line) => json<{ type: string }>(line).type)).toEqual(['step-1', 'step-2', 'step-3']);
    // Named relative to the config's directory (`root`), so engines on other machines share it.
    const row = await db.query<{ body: Buffer }>("SELECT body FROM prevention_documents WHERE name = 'shared_context.json'");
    expect(json<{ events: unknown[] }>(row.rows[0]!.body.toString()).events).toHaveLength(3);
    expect(existsSync(path.join(project.dir, 'shared_context.json'))).toBe(false);
    expect(existsSync(path.join(project.dir, '.prevention'))).toBe(false);
  });

  it('events --follow prints what another process publishes', async () => {
    const follower = project.start(['events', 'shared_context.json', '--follow', '--json', '--since', '3']);
    try {
      await follower.waitFor('following', 'stderr');
      expect((await project.run(['publish', 'shared_context.json', '-t', 'followed', '-s', 'other'])).code).toBe(0);
      await follower.waitFor('"followed"');
    } finally {
      follower.child.kill('SIGINT');
    }
    const done = await follower.exited;
    expect(done.stdout.trim().split('\n').map((line) => json<{ seq: number; type: string }>(line))).toMatchObject([{ seq: 4, type: 'followed' }]);
  });

  it('check and status judge the stored documents, the config\'s globs matched against the store\'s own list', async () => {
    const note = await project.run(['publish', 'notes/a.json', '-t', 'noted', '-s', 'cli']);
    expect(note.code, note.stderr).toBe(0);
    const checked = await project.run(['check', '--json']);
    expect(checked.code, checked.stderr).toBe(0);
    expect(json(checked.stdout)).toMatchObject({
      ok: true,
      files: [
        { file: path.join(project.dir, 'shared_context.json'), status: 'ok', findings: [], lastCommit: { sha256: expect.any(String) } },
        { file: path.join(project.dir, 'notes', 'a.json'), status: 'ok', findings: [] },
      ],
    });
    expect(existsSync(path.join(project.dir, 'notes'))).toBe(false);

    const status = await project.run(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(json(status.stdout)).toMatchObject({
      ok: true,
      files: [{ status: 'ok', lastBackup: { strategy: 'postgres-history', generation: 4 } }, { status: 'ok', lastBackup: { strategy: 'postgres-history', generation: 1 } }],
      monitor: { state: 'not-configured' },
    });
  });

  it('backups lists the history rows; check finds an outside write that broke the document, and restore puts the last good version back', async () => {
    const listed = await project.run(['backups', 'shared_context.json', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const records = json<Array<{ id: string; generation: number; strategy: string }>>(listed.stdout);
    expect(records.map((r) => [r.generation, r.strategy])).toEqual([4, 3, 2, 1].map((g) => [g, 'postgres-history']));

    await db.query("UPDATE prevention_documents SET body = convert_to('{\"version\":1,\"events\":[', 'UTF8') WHERE name = 'shared_context.json'");
    const broken = await project.run(['check']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/shared_context\.json\s+PROBLEM\s+invalid JSON at byte 23 \(line 1, column 24\): the text ends too early\n\s+changed outside prevention since its last commit/);

    // From another directory: a store's quarantine locator is not a path to make relative.
    const restored = await project.run(['--cwd', project.dir, 'restore', 'shared_context.json', '--id', records[1]!.id], os.tmpdir());
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/^restored shared_context\.json from postgres-history backup .*\nthe replaced version was kept in postgres:quarantine\/\d+\n$/);
    const events = await project.run(['events', 'shared_context.json', '--json']);
    expect(events.stdout.trim().split('\n')).toHaveLength(3);
    expect((await project.run(['check'])).code).toBe(0);
  });

  it('monitor --once judges the documents in the store, and changes nothing where they are intact', async () => {
    const before = await db.query<{ token: string }>("SELECT token FROM prevention_documents WHERE name = 'shared_context.json'");
    const run = await project.run(['monitor', '--once']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('every file intact, every health check passing');
    expect((await db.query<{ token: string }>("SELECT token FROM prevention_documents WHERE name = 'shared_context.json'")).rows).toEqual(before.rows);
  });
});

describeWithPostgres('the prevention CLI with an unreachable PostgreSQL store', () => {
  let project: CliProject;
  const password = 'n0t-in-any-log';
  beforeAll(async () => {
    // Port 1: nothing listens there, so every connection is refused at once.
    project = await CliProject.create({ 'package.json': '{"type":"module"}', 'prevention.config.ts': CONFIG }, { PREVENTION_DATABASE_URL: `postgresql://alice:${password}@127.0.0.1:1/team` });
  });
  afterAll(() => project?.remove());

  it('fails with a typed error that never shows the connection string\'s password, even with --debug', async () => {
    const migrate = await project.run(['--debug', 'db', 'migrate']);
    expect(migrate.code).not.toBe(0);
    expect(migrate.stderr).toMatch(/PREVENTION_IO_FAILED.*reading the migrations applied failed for the public schema on PostgreSQL \(connect ECONNREFUSED 127\.0\.0\.1:1\)/s);
    const check = await project.run(['--debug', 'check', 'shared_context.json', '--json']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('ECONNREFUSED');
    const publish = await project.run(['--debug', 'publish', 'shared_context.json', '-t', 'x', '-s', 'y']);
    expect(publish.code).not.toBe(0);
    for (const run of [migrate, check, publish]) {
      expect(`${run.stdout}${run.stderr}`).not.toContain(password);
      expect(`${run.stdout}${run.stderr}`).not.toContain('alice:');
    }
  });
});
