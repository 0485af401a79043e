import { beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { Agent, startTogether } from './__tests__/support/agents.js';
import { CuttingProxy } from './__tests__/support/cutting-proxy.js';
import { describeWithPostgres } from './__tests__/support/server-suite.js';

const TORTURE = process.env.PREVENTION_TORTURE === '1';
const UPDATES = TORTURE ? 500 : Number(process.env.PG_OUTAGE_UPDATES ?? 60);
const PUBLISHES = TORTURE ? 200 : 30;

const MACHINES = [
  { name: 'a', cwd: '/machine-a/team', via: 'tcp' },
  { name: 'b', cwd: '/srv/machine-b/agents', via: 'socket' },
] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithPostgres('writers on PostgreSQL through backend terminations and a server crash', (server) => {
  const url = (via: 'tcp' | 'socket') => (via === 'tcp' ? server().url('outages') : server().socketUrl('outages'));

  /** One query on a fresh connection, retried while the server is away (the test's own view must survive the crash too). */
  async function adminQuery<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    for (let attempt = 0; ; attempt++) {
      const client = new pg.Client({ connectionString: server().url('outages') });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return (await client.query<R>(text, values)).rows;
      } catch (err) {
        if (attempt > 600) throw err;
        await sleep(100);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }

  const counters = async (schema: string): Promise<Record<string, number>> => {
    const rows = await adminQuery<{ body: Buffer }>(`SELECT body FROM ${schema}.prevention_documents WHERE name = 'counter.json'`).catch(() => []);
    return rows[0] ? (JSON.parse(rows[0].body.toString()) as { counters: Record<string, number> }).counters : {};
  };
  const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);

  const writers = (schema: string, count: number, urlOf: (machine: (typeof MACHINES)[number]) => string = (m) => url(m.via)): Agent[] =>
    MACHINES.flatMap((machine) =>
      [0, 1, 2, 3].map((i) => new Agent(`${machine.name}${i}`, 'counter-writer.mjs', { url: urlOf(machine), cwd: machine.cwd, id: `${machine.name}${i}`, schema, count, mode: 'engine', lanes: 2 })),
    );
  const lostCommits = (reports: Array<Record<string, unknown>>) =>
    reports.reduce<{ landed: number; notLanded: number }>((n, r) => {
      const lost = r.lostCommits as { landed: number; notLanded: number };
      return { landed: n.landed + lost.landed, notLanded: n.notLanded + lost.notLanded };
    }, { landed: 0, notLanded: 0 });

  /**
   * Every writer's counter is exactly its count, each commit is one history row with no gap in
   * generations, and no engine took a version for an outside write (the commit record always
   * matched the document).
   */
  async function expectExactly(schema: string, agents: Agent[], count: number): Promise<void> {
    // The adoption itself, not the warning that a commit's record was lost with the server (its
    // history row still vouches for it).
    for (const agent of agents) expect(agent.errorOutput).not.toMatch(/adopted a version written outside|was changed outside prevention|outside-write/i);
    expect(await counters(schema)).toEqual(Object.fromEntries(agents.map((a) => [a.label, count])));
    const [history] = await adminQuery<{ n: string; max: string }>(`SELECT count(*) AS n, max(generation) AS max FROM ${schema}.prevention_history WHERE name = 'counter.json'`);
    expect(Number(history!.n)).toBe(Number(history!.max));
  }

  beforeAll(async () => {
    await server().createDatabase('outages');
  });

  it('loses nothing and applies nothing twice while writers\' backends are terminated mid-commit', async () => {
    const agents = writers('terminated', UPDATES);
    await startTogether(agents);
    let terminated = 0;
    let finished = false;
    const done = Promise.all(agents.map((a) => a.message('done', 300_000))).finally(() => (finished = true));
    done.catch(() => undefined);
    while (!finished) {
      // Backends in a transaction or running a statement: a lock holder mid-commit, most often.
      const busy = await adminQuery<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE datname = 'outages' AND application_name = 'prevention-writer' AND (state = 'idle in transaction' OR query LIKE 'COMMIT%' OR query LIKE 'WITH%')",
      );
      const victim = busy[Math.floor(Math.random() * busy.length)];
      if (victim) {
        const [result] = await adminQuery<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [victim.pid]);
        if (result?.ok) terminated += 1;
      }
      await sleep(20 + Math.random() * 30);
    }
    const reports = await done;
    expect(await Promise.all(agents.map((a) => a.exited))).toEqual(agents.map(() => 0));
    await expectExactly('terminated', agents, UPDATES);
    expect(terminated).toBeGreaterThan(0);
    const lost = lostCommits(reports);
    const retries = reports.reduce((n, r) => n + (r.retries as number), 0);
    console.log(
      `pg_terminate_backend: ${terminated} backends terminated; ${sum(await counters('terminated'))} of ${8 * UPDATES} updates present, once each; ` +
        `${retries} retries of typed errors; COMMITs whose connection was lost, resolved by token: ${lost.landed} landed, ${lost.notLanded} not`,
    );
  }, 300_000);

  it('resolves every COMMIT whose connection a network cut lost, landed or not, by its token: nothing lost, nothing twice', async () => {
    // Machine a reaches the server through a proxy that cuts every 7th COMMIT, before and after
    // it reaches the server in turn; machine b connects directly.
    const proxy = await CuttingProxy.start({ host: '127.0.0.1', port: server().port });
    try {
      const agents = writers('cut', UPDATES, (m) => (m.via === 'tcp' ? `postgresql://postgres@127.0.0.1:${proxy.port}/outages` : url(m.via)));
      await startTogether(agents);
      proxy.cutEvery(7);
      const reports = await Promise.all(agents.map((a) => a.message('done', 300_000)));
      expect(await Promise.all(agents.map((a) => a.exited))).toEqual(agents.map(() => 0));
      await expectExactly('cut', agents, UPDATES);
      const lost = lostCommits(reports);
      expect(proxy.cuts['after-commit']).toBeGreaterThan(0);
      expect(proxy.cuts['before-commit']).toBeGreaterThan(0);
      expect(lost).toEqual({ landed: proxy.cuts['after-commit'], notLanded: proxy.cuts['before-commit'] });
      console.log(
        `network cuts at COMMIT: ${proxy.cuts['after-commit']} after it reached the server (resolved as landed, acknowledged once), ${proxy.cuts['before-commit']} before (resolved as not landed, retried); ` +
          `${sum(await counters('cut'))} of ${8 * UPDATES} updates present, once each`,
      );
    } finally {
      await proxy.stop();
    }
  }, 300_000);

  it('keeps every acknowledged commit and event through a SIGKILL of the server, and the writers recover without restarting', async () => {
    const agents = writers('crashed', UPDATES);
    const publishers = MACHINES.map(
      (machine, i) => new Agent(`bus-${machine.name}`, 'bus-agent.mjs', { url: url(machine.via), cwd: machine.cwd, id: `bus-${machine.name}`, schema: 'crashed', publishes: PUBLISHES, rollbackRate: 0, seed: i }),
    );
    await startTogether([...agents, ...publishers]);
    // Crash once a quarter of the updates is in, while every writer is still at work (in long
    // mode, three times).
    const crashes: number[] = [];
    for (const share of TORTURE ? [0.2, 0.5, 0.8] : [0.25]) {
      const deadline = Date.now() + 120_000;
      while (sum(await counters('crashed')) < 8 * UPDATES * share) {
        if (Date.now() > deadline) throw new Error('the writers made no progress before the crash');
        await sleep(20);
      }
      crashes.push(sum(await counters('crashed')));
      await server().kill();
      await sleep(500);
      await server().restart();
    }
    const reports = await Promise.all(agents.map((a) => a.message('done', 300_000)));
    const published = await Promise.all(publishers.map((p) => p.message('published', 300_000)));
    const acked = published.flatMap((p) => p.acked as Array<[number, string]>).sort((x, y) => x[0] - y[0]);
    expect(acked.map(([seq]) => seq)).toEqual(Array.from({ length: 2 * PUBLISHES }, (_, i) => i + 1));
    for (const p of publishers) p.send(String(acked.length));
    const seen = await Promise.all(publishers.map((p) => p.message('seen', 120_000)));
    for (const report of seen) expect(report.events).toEqual(acked);
    expect(await Promise.all([...agents, ...publishers].map((a) => a.exited))).toEqual([...agents, ...publishers].map(() => 0));
    await expectExactly('crashed', agents, UPDATES);
    // The events in the document: every acknowledged one, seq gapless, ids as acknowledged.
    const [ctx] = await adminQuery<{ body: Buffer }>("SELECT body FROM crashed.prevention_documents WHERE name = 'ctx.json'");
    const events = (JSON.parse(ctx!.body.toString()) as { events: Array<{ seq: number; id: string }> }).events;
    expect(events.map((e) => [e.seq, e.id])).toEqual(acked);
    const retries = [...reports, ...published].reduce((n, r) => n + (r.retries as number), 0);
    expect(retries).toBeGreaterThan(0);
    const lost = reports.reduce((n, r) => n + (r.lostCommits as { landed: number }).landed + (r.lostCommits as { notLanded: number }).notLanded, 0);
    console.log(
      `server SIGKILLed at ${crashes.join(', ')} of ${8 * UPDATES} updates and restarted: all ${8 * UPDATES} updates and ${acked.length} events present, once each, seq 1..${acked.length}; ` +
        `${retries} retries of typed errors by the same processes; ${lost} COMMITs resolved by token`,
    );
  }, 300_000);
});
