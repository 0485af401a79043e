import { describe, expect, it } from 'vitest';
import { competitorById, competitors } from './competitors/index.mjs';
import { concurrentAppends, sequentialAppends } from './harness.mjs';
import { latencySvg } from './report/latency-svg.mjs';
import { resultsMarkdown } from './report/results-md.mjs';
import { cloningFileSystem } from './workloads/cloning-fs.mjs';
import { durableReplace } from './workloads/durable-replace.mjs';
import { coldStart } from './workloads/cold-start.mjs';
import { postgresWorkload } from './workloads/postgres.mjs';
import { installFootprint } from './workloads/footprint.mjs';
import { profileAppends } from './workloads/profile.mjs';
import { pythonPublish } from './workloads/python-publish.mjs';
import { runProcesses } from './workloads/multi-process.mjs';

/**
 * Keeps the benchmark from rotting: a few appends through every competitor on small files, one
 * burst, two processes, a profile and the report, all in well under a minute. No timing is
 * asserted; only that each competitor's appends all land in a valid file.
 */
describe('bench harness', () => {
  const single = [];

  it.each(competitors.map((c) => [c.id]))('%s appends durably to a valid file', async (id) => {
    for (const size of [10, 50]) {
      const result = await sequentialAppends(competitorById(id), { size, iterations: 2, warmup: 1 });
      expect(result.events).toBe(result.expected);
      expect(result.p50).toBeGreaterThan(0);
      single.push({ size, id, name: competitorById(id).name, iterations: 2, ...result });
    }
  });

  it('times the file system\'s own durable replace of a file', async () => {
    const replace = await durableReplace({ quick: true, events: 10 });
    expect(replace).toMatchObject({ events: 10, n: 5 });
    expect(replace.bytes).toBeGreaterThan(1000);
    expect(replace.p50).toBeGreaterThan(0);
  });

  it('commits a burst of bus publishes together, losing none', async () => {
    const engine = competitorById('prevention-bus');
    const result = await concurrentAppends(engine, {
      size: 10,
      count: 20,
      onOpen: (store) => {
        let commits = 0;
        store.engine.on('commit', () => commits++);
        return () => commits - 1;
      },
    });
    expect(result).toMatchObject({ failed: 0, lost: 0 });
    expect(result.observed).toBeLessThan(20);
  });

  it('runs appenders in separate processes and counts what landed', async () => {
    const result = await runProcesses(competitorById('prevention-bus'), 2, 2);
    expect(result).toMatchObject({ acknowledged: 4, failed: 0, lost: 0, corrupt: false });
  });

  let cold;
  let footprint;
  let python;
  let cloning;
  let postgres;

  it('runs 8 processes updating one document, and updating and publishing, on files, on PostgreSQL and with naive pg', async () => {
    postgres = await postgresWorkload({ quick: true });
    if (postgres.skipped) return expect(process.env.CI).toBeUndefined();
    expect(postgres.rows.map((r) => r.id)).toEqual(['prevention-update', 'prevention-mixed', 'prevention-postgres', 'prevention-postgres-mixed', 'naive-pg']);
    for (const row of postgres.rows.slice(0, 4)) expect(row).toMatchObject({ acknowledged: 24, failed: 0, lost: 0, corrupt: false });
  }, 180_000);

  it('appends on a loop-mounted cloning file system beside SQLite (root only, as in CI)', async () => {
    cloning = await cloningFileSystem({ quick: true, sizes: [10] });
    if (process.getuid?.() !== 0) return expect(cloning.skipped).toMatch(/root/);
    expect(cloning.rows.map((r) => r.id)).toEqual(['raw-floor', 'prevention-bus', 'better-sqlite3']);
    for (const row of cloning.rows) expect(row.events).toBe(row.expected);
  });

  it('times publishes from Python through the service', async () => {
    python = await pythonPublish({ quick: true });
    expect(python.n).toBe(10);
    expect(python.p50).toBeGreaterThan(0);
  });

  it('times cold starts: bare node, import and createEngine, check with the .mjs and the .ts config init writes', async () => {
    cold = await coldStart({ quick: true });
    for (const step of ['bareNode', 'engineWall', 'importCore', 'createEngine', 'checkMjs', 'checkTs']) expect(cold[step].n, step).toBe(2);
  });

  it('installs the packed packages and counts what they bring', async () => {
    footprint = await installFootprint();
    expect(footprint.core.packages).toBeGreaterThan(1);
    expect(footprint.all.packages).toBeGreaterThan(footprint.core.packages);
    expect(footprint.all.bytes).toBeGreaterThan(footprint.core.bytes);
  });

  it('profiles an append and renders the report and the chart', async () => {
    const profile = await profileAppends({ sizes: [10], quick: true });
    expect(profile[0].io.map((e) => e.method)).toContain('fsync');
    const markdown = resultsMarkdown({
      single,
      profile,
      group: [],
      multi: [],
      cold,
      footprint,
      python,
      cloning,
      postgres,
      monitor: undefined,
      meta: { date: 'now', durationMs: 1, cpus: 1, cpuModel: 'cpu', node: process.version, scratch: '/tmp', fileSystem: 'fs', quick: true },
    });
    expect(markdown).toContain('| raw floor |');
    if (!postgres.skipped) expect(markdown).toMatch(/\| prevention update\(\) on PostgreSQL \| [\d.,]+ \|/);
    if (!cloning.skipped) expect(markdown).toMatch(/On xfs \(reflink=1, loop-mounted\)[\s\S]*\| 10 \| prevention bus\.publish \|/);
    expect(markdown).toMatch(/\| `prevention check` cold start, `\.mjs` config, ≤ 250 ms \| [\d.]+ ms/);
    expect(markdown).toContain('| `@prevention/core` alone |');
    expect(markdown).toMatch(/\| Python publish through the service, p50 ≤ 5 ms \(absolute\) \| [\d.]+ ms/);
    const svg = latencySvg(single);
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    expect(svg.match(/<polyline/g)).toHaveLength(competitors.length);
  });
});
