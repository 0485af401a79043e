import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { Agent, startTogether } from './__tests__/support/agents.js';
import { describeWithPostgres } from './__tests__/support/server-suite.js';

const TORTURE = process.env.PREVENTION_TORTURE === '1';
const UPDATES = TORTURE ? 1_000 : Number(process.env.PG_UPDATES ?? 200);
const PUBLISHES = TORTURE ? 200 : Number(process.env.PG_PUBLISHES ?? 25);

/** Two "machines": separate engines and pools, one over TCP and one over the Unix socket, in different working directories. */
const MACHINES = [
  { name: 'a', cwd: '/machine-a/team', via: 'tcp' },
  { name: 'b', cwd: '/srv/machine-b/agents', via: 'socket' },
] as const;

describeWithPostgres('two machines of four processes on one PostgreSQL', (server) => {
  let admin: pg.Pool;
  const url = (via: 'tcp' | 'socket') => (via === 'tcp' ? server().url('fleet') : server().socketUrl('fleet'));

  beforeAll(async () => {
    await server().createDatabase('fleet');
    admin = new pg.Pool({ connectionString: server().url('fleet') });
  });
  afterAll(async () => {
    await admin?.end();
  });

  const fleet = (fixture: string, settings: (machine: (typeof MACHINES)[number], i: number) => Record<string, unknown>): Agent[] =>
    MACHINES.flatMap((machine) => [0, 1, 2, 3].map((i) => new Agent(`${machine.name}${i}`, fixture, { url: url(machine.via), cwd: machine.cwd, id: `${machine.name}${i}`, ...settings(machine, i) })));

  it(`commits all ${8 * UPDATES} updates of 8 processes on one document; a naive SELECT-then-UPDATE control loses some`, async () => {
    const started = Date.now();
    const writers = fleet('counter-writer.mjs', () => ({ schema: 'counters', count: UPDATES, mode: 'engine', lanes: 4 }));
    await startTogether(writers);
    const reports = await Promise.all(writers.map((w) => w.message('done', 300_000)));
    expect(await Promise.all(writers.map((w) => w.exited))).toEqual(writers.map(() => 0));
    const seconds = (Date.now() - started) / 1000;
    const { rows } = await admin.query<{ body: Buffer; generation: string }>("SELECT body, generation FROM counters.prevention_documents WHERE name = 'counter.json'");
    const doc = JSON.parse(rows[0]!.body.toString()) as { counters: Record<string, number> };
    expect(doc.counters).toEqual(Object.fromEntries(writers.map((w) => [w.label, UPDATES])));
    const present = Object.values(doc.counters).reduce((a, b) => a + b, 0);
    expect(present).toBe(8 * UPDATES);
    expect(reports.map((r) => r.acked)).toEqual(writers.map(() => UPDATES));
    // Every commit kept as a history row, generations without a gap (group commit makes fewer commits than updates).
    const history = await admin.query<{ n: string; max: string }>("SELECT count(*) AS n, max(generation) AS max FROM counters.prevention_history WHERE name = 'counter.json'");
    expect(Number(history.rows[0]!.n)).toBe(Number(history.rows[0]!.max));
    expect(Number(history.rows[0]!.max)).toBe(Number(rows[0]!.generation));

    // The control: the same processes, reading and writing the row with no lock and no version check.
    await admin.query('CREATE TABLE naive_documents (name text PRIMARY KEY, body jsonb NOT NULL)');
    await admin.query("INSERT INTO naive_documents VALUES ('counter.json', '{\"counters\": {}}')");
    const naive = fleet('counter-writer.mjs', () => ({ count: UPDATES, mode: 'naive' }));
    await startTogether(naive);
    await Promise.all(naive.map((w) => w.message('done', 300_000)));
    expect(await Promise.all(naive.map((w) => w.exited))).toEqual(naive.map(() => 0));
    const control = (await admin.query<{ body: { counters: Record<string, number> } }>("SELECT body FROM naive_documents WHERE name = 'counter.json'")).rows[0]!.body;
    const kept = Object.values(control.counters).reduce((a, b) => a + b, 0);
    const retries = reports.reduce((n, r) => n + (r.retries as number), 0);
    console.log(`prevention on PostgreSQL: ${present} of ${8 * UPDATES} updates present (${seconds.toFixed(1)} s, ${retries} retries); naive SELECT then UPDATE: ${kept} of ${8 * UPDATES} present, ${8 * UPDATES - kept} lost`);
    expect(8 * UPDATES - kept).toBeGreaterThan(0);
  }, 300_000);

  it('shows every follower on both machines the same gapless seqs 1..N, exactly the acknowledged publishes, with rollbacks injected', async () => {
    const agents = fleet('bus-agent.mjs', (machine, i) => ({ schema: 'bus', publishes: PUBLISHES, rollbackRate: 0.2, seed: (machine.name === 'a' ? 100 : 200) + i }));
    await startTogether(agents);
    const published = await Promise.all(agents.map((a) => a.message('published', 300_000)));
    const acked = published.flatMap((p) => p.acked as Array<[number, string]>).sort((x, y) => x[0] - y[0]);
    const rolledBack = published.reduce((n, p) => n + (p.rolledBack as number), 0);
    const total = acked.length;
    expect(acked.map(([seq]) => seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(total + rolledBack).toBe(8 * PUBLISHES);
    expect(rolledBack).toBeGreaterThan(0);
    for (const agent of agents) agent.send(String(total));
    const seen = await Promise.all(agents.map((a) => a.message('seen', 120_000)));
    for (const report of seen) expect(report.events).toEqual(acked);
    expect(await Promise.all(agents.map((a) => a.exited))).toEqual(agents.map(() => 0));
    console.log(`bus on PostgreSQL: ${total} events acknowledged and seen by all 8 followers as 1..${total}; ${rolledBack} publishes rolled back, none seen`);
  }, 300_000);
});
