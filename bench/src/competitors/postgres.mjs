import path from 'node:path';
import { createEngine } from '@prevention/core';
import { postgresStore } from '@prevention/store-postgres';
import pg from 'pg';
import { seedBytes, toStored } from '../events.mjs';
import { appender, preventionEntry } from './appenders.mjs';

/**
 * The competitors on PostgreSQL, for the workload that starts a throw-away server and names it in
 * PREVENTION_BENCH_PG_URL: prevention's engine on the PostgreSQL store (the same `update()` as on
 * files), and the naive read-modify-write a team would write with `pg` alone. The bench's
 * "file" is the document's name; each run uses a fresh one.
 */
const url = () => {
  const found = process.env.PREVENTION_BENCH_PG_URL;
  if (!found) throw new Error('PREVENTION_BENCH_PG_URL is not set: the PostgreSQL workload starts the server and sets it');
  return found;
};

/** The naive competitor's table: one row per document, its body as JSON text. */
const NAIVE_TABLE = 'naive_documents';

async function withClient(fn) {
  const client = new pg.Client({ connectionString: url() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** An engine on its own PostgreSQL store (one pool), as one machine's process would have; `close` ends both. */
async function engineOn(file) {
  const store = postgresStore({ connectionString: url() }, { root: path.dirname(file) });
  const engine = await createEngine({ cwd: path.dirname(file), config: false, logger: { level: 'silent' }, store });
  return {
    engine,
    async close() {
      await engine.close();
      await store.close();
    },
  };
}

async function withEngine(file, fn) {
  const opened = await engineOn(file);
  try {
    return await fn(opened.engine);
  } finally {
    await opened.close();
  }
}

/** prevention's engine on the PostgreSQL store, appending as `how` says (see {@link appender}). */
function preventionOnPostgres({ id, name, note, how }) {
  return {
    ...preventionEntry({ id, name, note }),
    seed: (file, count) => withEngine(file, (engine) => engine.write(file, JSON.parse(seedBytes(count).toString()))),
    count: (file) => withEngine(file, async (engine) => (await engine.read(file)).events.length),
    async open(file) {
      const { engine, close } = await engineOn(file);
      return { engine, append: appender(engine, file, how), close };
    },
  };
}

export const preventionPostgres = preventionOnPostgres({
  id: 'prevention-postgres',
  name: 'prevention update() on PostgreSQL',
  note: 'the full pipeline with the PostgreSQL store: advisory lock, one transaction per commit, a history row as the backup, verify',
  how: 'update',
});

export const preventionPostgresMixed = preventionOnPostgres({
  id: 'prevention-postgres-mixed',
  name: 'prevention update() + bus.publish on PostgreSQL',
  note: 'as update() on PostgreSQL, each process alternating an update() and a bus.publish',
  how: 'mixed',
});

export const naivePostgres = {
  id: 'naive-pg',
  name: 'naive pg read-modify-write',
  note: 'SELECT the body, append in the process, UPDATE it back: each statement atomic, the cycle not (no lock, no version check)',
  safeAcrossProcesses: false,
  extension: 'json',
  async seed(file, count) {
    await withClient(async (client) => {
      await client.query(`CREATE TABLE IF NOT EXISTS ${NAIVE_TABLE} (name text PRIMARY KEY, body text NOT NULL)`);
      await client.query(`INSERT INTO ${NAIVE_TABLE} (name, body) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET body = EXCLUDED.body`, [file, seedBytes(count).toString()]);
    });
  },
  count: (file) => withClient(async (client) => JSON.parse((await client.query(`SELECT body FROM ${NAIVE_TABLE} WHERE name = $1`, [file])).rows[0].body).events.length),
  async open(file) {
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    return {
      async append(input) {
        const doc = JSON.parse((await client.query(`SELECT body FROM ${NAIVE_TABLE} WHERE name = $1`, [file])).rows[0].body);
        doc.events.push(toStored(input, (doc.events.at(-1)?.seq ?? 0) + 1));
        await client.query(`UPDATE ${NAIVE_TABLE} SET body = $2 WHERE name = $1`, [file, `${JSON.stringify(doc, null, 2)}\n`]);
      },
      close: () => client.end(),
    };
  },
};
