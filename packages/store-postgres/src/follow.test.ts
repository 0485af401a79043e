import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { beforeAll, expect, it } from 'vitest';
import { createEngine, type BusEvent } from '@prevention/core';
import { waitFor } from '@prevention/core/testing';
import { describeWithPostgres } from './__tests__/support/server-suite.js';
import { postgresStore } from './index.js';

describeWithPostgres('bus followers on PostgreSQL are woken by NOTIFY, and read every seq after their last', (server) => {
  beforeAll(async () => {
    await server().createDatabase('follow');
  });

  it('delivers another machine\'s publishes at once with a poll of a minute, in order, each once, and again after the LISTEN connection is lost', async () => {
    const [rootA, rootB] = await Promise.all(['a', 'b'].map((m) => mkdtemp(path.join(os.tmpdir(), `prevention-follow-${m}-`))));
    const storeA = postgresStore({ connectionString: server().url('follow') }, { schema: 'follow', root: rootA });
    const storeB = postgresStore({ connectionString: server().url('follow') }, { schema: 'follow', root: rootB });
    const a = await createEngine({ cwd: rootA, config: false, store: storeA, logger: { level: 'silent' } });
    const b = await createEngine({ cwd: rootB, config: false, store: storeB, logger: { level: 'silent' } });
    const admin = new pg.Client({ connectionString: server().url('follow') });
    await admin.connect();
    try {
      const publisher = a.bus('ctx.json');
      await publisher.publish({ type: 'hello', source: 'a' });
      // A poll of a minute: within this test, only the change feed can wake the follower.
      const follower = b.bus('ctx.json', { pollMs: 60_000 });
      const seen: BusEvent[] = [];
      const stop = follower.subscribe((event) => void seen.push(event), { since: 1 });
      await waitFor(() => admin.query(`SELECT 1 FROM pg_stat_activity WHERE query ILIKE 'LISTEN%'`).then((r) => r.rowCount! > 0), 'the follower listening');
      for (let i = 0; i < 5; i++) await publisher.publish({ type: 'step', source: 'a', payload: { i } });
      await waitFor(() => seen.length >= 5, 'the follower hearing five publishes', { timeoutMs: 10_000 });

      // Published at once, while the feed is down (it is re-made after a pause): its NOTIFY reaches
      // nobody, and only the re-made feed's wake-up of every follower (or the minute's poll) finds it.
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`);
      await publisher.publish({ type: 'step', source: 'a', payload: { i: 5 } });
      await waitFor(() => seen.length >= 6, 'the follower hearing the publish made while its feed was down', { timeoutMs: 10_000 });
      for (let i = 6; i < 8; i++) await publisher.publish({ type: 'step', source: 'a', payload: { i } });
      await waitFor(() => seen.length >= 8, 'the follower hearing the publishes after its feed was re-made', { timeoutMs: 10_000 });
      expect(seen.map((e) => e.seq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
      expect(seen.map((e) => (e.payload as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      stop();
      // The last follower gone, the engine's LISTEN connection is closed.
      await waitFor(() => admin.query(`SELECT 1 FROM pg_stat_activity WHERE query ILIKE 'LISTEN%'`).then((r) => r.rowCount === 0), 'the feed closed with its last follower');
    } finally {
      await admin.end();
      await Promise.all([a.close(), b.close()]);
      await Promise.all([storeA.close(), storeB.close()]);
    }
  });
});
