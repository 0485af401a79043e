import { PYTHON_P50_TARGET_MS } from '../workloads/python-publish.mjs';
import { competitors } from '../competitors/index.mjs';
import { slope } from '../stats.mjs';
import { count, mb, ms, rate, ratio, table, verdict } from './format.mjs';

/**
 * Renders bench/results.md from one run's results: the targets first (each met or missed, and
 * by how much), then a table per workload, the profile, and what every competitor guarantees.
 */

/** Profile entries grouped into the costs issue 9 names. */
const COST_OF_FUNCTION = [
  [/^serializeDocument|^write \(node:buffer|^stringify/, 'stringify'],
  [/parseDocument|^parse /, 'parse'],
  [/^update \(native\)|^digest|sha256/, 'sha256 (commit + verify)'],
  [/_copyActual|^copy /, 'buffer copies'],
  [/garbage collector/, 'garbage collection'],
  [/toJsonDocument|walk|Check|validate/i, 'validate'],
];
const COST_OF_IO = { fsync: 'fsync', syncDirectory: 'fsync', write: 'write', readFile: 'read back (verify)' };

export function costBreakdown(profile) {
  const costs = new Map();
  const add = (name, value) => costs.set(name, (costs.get(name) ?? 0) + value);
  for (const { method, ms: t } of profile.io) add(COST_OF_IO[method] ?? 'other file system calls', t);
  for (const { name, ms: t } of profile.functions) add(COST_OF_FUNCTION.find(([re]) => re.test(name))?.[1] ?? 'other JS', t);
  return [...costs.entries()].map(([name, t]) => ({ name, ms: t })).sort((a, b) => b.ms - a.ms);
}

function find(rows, id, extra = () => true) {
  return rows.find((r) => r.id === id && extra(r));
}

function floorRatio(rows, id, size) {
  const floor = find(rows, 'raw-floor', (r) => r.size === size);
  const row = find(rows, id, (r) => r.size === size);
  return row && floor ? row.p50 / floor.p50 : NaN;
}

function sizeSlope(rows, id) {
  return slope(rows.filter((r) => r.id === id).map((r) => ({ x: r.size / 1000, y: r.p50 })));
}

function targets(results) {
  const { single, group, multi } = results;
  const out = [];
  for (const [size, limit] of [
    [1_000, 1.25],
    [10_000, 1.0],
    [100_000, 1.0],
  ]) {
    for (const id of ['prevention-bus', 'prevention-bus-backup']) {
      if (!find(single, id, (r) => r.size === size)) continue;
      out.push([`single writer at ${count(size)} events, ${id === 'prevention-bus' ? 'bus.publish' : 'bus.publish + rotating backup'} ≤ ${limit}× floor (p50)`, ratio(floorRatio(single, id, size)), verdict(floorRatio(single, id, size), limit)]);
    }
  }
  const sequential = find(single, 'prevention-bus', (r) => r.size === 1_000);
  const burst = find(group, 'prevention-bus');
  if (sequential && burst) {
    const gain = burst.perSecond / sequential.perSecond;
    out.push(['group commit: 1,000 publishes at once ≥ 10× sequential publish throughput', ratio(gain), verdict(gain, 10, { atLeast: true })]);
  }
  const bus4 = find(multi, 'prevention-bus', (r) => r.processes === 4);
  const locked4 = find(multi, 'lockfile-write-file-atomic', (r) => r.processes === 4);
  if (bus4 && locked4) {
    const gain = bus4.perSecond / locked4.perSecond;
    out.push(['4 processes: bus ≥ 3× proper-lockfile + write-file-atomic throughput', ratio(gain), verdict(gain, 3, { atLeast: true })]);
    out.push(['4 processes: 0 lost updates', `${bus4.lost} lost, ${bus4.failed} failed`, bus4.lost === 0 && bus4.failed === 0 && !bus4.corrupt ? '**met**' : '**missed**']);
  }
  const busSlope = sizeSlope(single, 'prevention-bus');
  const floorSlope = sizeSlope(single, 'raw-floor');
  out.push(['append cost slope (ms per 1,000 events) no worse than the floor', `${ms(busSlope)} vs ${ms(floorSlope)}`, verdict(busSlope / floorSlope, 1)]);
  out.push(['monitor repair p99 < 1 s; idle CPU < 1 % of a core', results.monitor ? `see ${results.monitor.file}` : 'see monitor benchmark', results.monitor ? 'reported below' : 'not in this run']);
  return table(['target', 'measured', 'verdict'], out);
}

function singleWriterSection(rows) {
  const sizes = [...new Set(rows.map((r) => r.size))];
  return sizes
    .map((size) => {
      const sized = rows.filter((r) => r.size === size);
      const floor = find(sized, 'raw-floor');
      const body = sized.map((r) => [
        r.name,
        ms(r.p50),
        ms(r.p99),
        ratio(r.p50 / floor.p50),
        r.bytesPerAppend === undefined ? '–' : mb(r.bytesPerAppend),
        rate(r.perSecond),
        r.events === r.expected ? 'yes' : `**no** (${r.events} of ${r.expected})`,
      ]);
      return `### ${count(size)} events (${sized[0].iterations} timed appends each)\n\n${table(['competitor', 'p50 ms', 'p99 ms', '× floor (p50)', 'MB written / append', 'appends/s', 'all appends in file'], body)}`;
    })
    .join('\n\n');
}

function slopeSection(rows) {
  const ids = [...new Set(rows.map((r) => r.id))];
  const floorSlope = sizeSlope(rows, 'raw-floor');
  const body = ids.map((id) => {
    const s = sizeSlope(rows, id);
    return [find(rows, id).name, ms(s), ratio(s / floorSlope)];
  });
  return table(['competitor', 'ms per 1,000 more events (least squares on p50)', '× floor slope'], body);
}

function profileSection(profiles) {
  return profiles
    .map((p) => {
      const costs = costBreakdown(p);
      const top = costs[0];
      const io = p.io.slice(0, 6).map((e) => `${e.method} ${ms(e.ms)}`).join(', ');
      const cpu = p.functions.slice(0, 6).map((f) => `${f.name} ${ms(f.ms)}`).join('; ');
      return [
        `### bus.publish at ${count(p.size)} events (${p.appends} profiled appends, ${ms(p.wallMs)} ms each under the profiler)`,
        '',
        table(['cost', 'ms per append', 'share of wall time'], costs.slice(0, 8).map((c) => [c.name, ms(c.ms), `${((c.ms / p.wallMs) * 100).toFixed(0)}%`])),
        '',
        `Dominant cost: **${top.name}**. File system calls (ms per append): ${io}. CPU self time: ${cpu}.`,
      ].join('\n');
    })
    .join('\n\n');
}

function groupSection(rows, single) {
  const body = rows.map((r) => {
    const sequential = find(single, r.id, (s) => s.size === 1_000);
    return [r.name, rate(r.perSecond), sequential ? ratio(r.perSecond / sequential.perSecond) : '–', r.commits === undefined ? '–' : count(r.commits), count(r.failed), Number.isNaN(r.lost) ? 'file corrupt' : count(r.lost)];
  });
  return table(['competitor', 'appends/s', '× its sequential appends/s', 'commits used', 'failed', 'lost updates'], body);
}

function multiSection(rows) {
  const counts = [...new Set(rows.map((r) => r.processes))];
  return counts
    .map((n) => {
      const body = rows
        .filter((r) => r.processes === n)
        .map((r) => [
          r.name,
          rate(r.perSecond),
          ms(r.p50),
          ms(r.p99),
          `${count(r.acknowledged)} / ${count(r.appends)}`,
          count(r.failed) + (r.errorSample.length ? ` (${r.errorSample.join('; ')})` : ''),
          r.corrupt ? '**file corrupt**' : r.lost === 0 ? '0' : `**${count(r.lost)}**`,
        ]);
      return `### ${n} process${n > 1 ? 'es' : ''}\n\n${table(['competitor', 'appends/s', 'p50 ms', 'p99 ms', 'acknowledged', 'failed appends', 'lost updates'], body)}`;
    })
    .join('\n\n');
}

const COLD_STEPS = [
  ['bareNode', 'bare `node -e 0` (floor)'],
  ['engineWall', 'node + import @prevention/core + createEngine (JSON config, a schema-checked file), wall'],
  ['importCore', '… of which `import(\'@prevention/core\')`'],
  ['createEngine', '… of which createEngine'],
  ['checkMjs', '`prevention check` (1,000 events), config from `prevention init --format mjs`, end to end'],
  ['checkTs', '`prevention check` (1,000 events), config from `prevention init` (.ts), end to end'],
];

/** "before" columns: the baseline checkout's figures (BENCH_BASELINE), measured in the same run. */
function beforeHeader(meta, ...names) {
  return names.map((name) => `before (${meta.baseline ?? 'no baseline'}) ${name}`);
}

function coldSection(cold, meta) {
  if (!cold) return 'Not run.';
  const before = cold.baseline;
  return table(
    ['step (fresh process each sample)', 'p50 ms', 'p99 ms', ...(before ? beforeHeader(meta, 'p50 ms', 'p99 ms') : [])],
    COLD_STEPS.map(([key, name]) => [name, ms(cold[key].p50), ms(cold[key].p99), ...(before ? [ms(before[key].p50), ms(before[key].p99)] : [])]),
  );
}

function footprintSection(footprint, meta) {
  if (!footprint) return 'Not run.';
  const before = footprint.baseline;
  const mbOf = (bytes) => (bytes / 1e6).toFixed(1);
  const cells = (m) => [count(m.packages), mbOf(m.bytes), mbOf(m.diskBytes)];
  const row = (name, key) => [name, ...cells(footprint[key]), ...(before ? cells(before[key]) : [])];
  return table(
    ['installed from the packed tarballs', 'packages', 'MB of files', 'MB on disk (du)', ...(before ? beforeHeader(meta, 'packages', 'MB of files', 'MB on disk') : [])],
    [row('`@prevention/core` alone', 'core'), row('all five packages (the CLI)', 'all')],
  );
}

/** Issue 14's targets: cold start of `check` with an .mjs config, and importing core. */
function startupTargets({ cold }) {
  if (!cold) return 'Not run.';
  const before = (key) => (cold.baseline ? ` (before: ${ms(cold.baseline[key].p50)} ms)` : '');
  return table(
    ['target', `measured (p50 of ${cold.samples})`, 'verdict'],
    [
      ['`prevention check` cold start, `.mjs` config, ≤ 250 ms', `${ms(cold.checkMjs.p50)} ms${before('checkMjs')}`, verdict(cold.checkMjs.p50, 250, { unit: ' ms' })],
      ['`import(\'@prevention/core\')` ≤ 60 ms', `${ms(cold.importCore.p50)} ms${before('importCore')}`, verdict(cold.importCore.p50, 60, { unit: ' ms' })],
    ],
  );
}

/** Issue 16's targets: many processes through the local service, and a Python agent's publish. */
function serviceTargets({ multi, python }) {
  const out = [];
  const served = find(multi, 'prevention-serve', (r) => r.processes === 8);
  const sqlite = find(multi, 'better-sqlite3', (r) => r.processes === 8);
  const locked = find(multi, 'lockfile-write-file-atomic', (r) => r.processes === 8);
  if (served && sqlite) out.push(['8 processes through `prevention serve` ≥ SQLite (WAL, synchronous FULL) appends/s', ratio(served.perSecond / sqlite.perSecond), verdict(served.perSecond / sqlite.perSecond, 1, { atLeast: true })]);
  if (served && locked) out.push(['8 processes through `prevention serve` ≥ 5× proper-lockfile + write-file-atomic', ratio(served.perSecond / locked.perSecond), verdict(served.perSecond / locked.perSecond, 5, { atLeast: true })]);
  if (python?.p50 !== undefined) out.push([`Python publish through the service, p50 ≤ ${PYTHON_P50_TARGET_MS} ms (absolute)`, `${ms(python.p50)} ms (p99 ${ms(python.p99)} ms, ${python.n} publishes)`, verdict(python.p50, PYTHON_P50_TARGET_MS, { unit: ' ms' })]);
  else out.push([`Python publish through the service, p50 ≤ ${PYTHON_P50_TARGET_MS} ms`, python?.unavailable ?? 'not in this run', 'not measured']);
  return table(['target', 'measured', 'verdict'], out);
}

/** Issue 17's targets measured on this run's file system (the cloning file system's are not run here). */
function performanceTargets({ single, multi, cloning, replace }) {
  const out = [];
  for (const size of [1_000, 10_000, 100_000]) {
    for (const [id, label] of [
      ['prevention-update', 'update() append'],
      ['prevention-bus-backup', 'bus + rotating backup'],
    ]) {
      if (!find(single, id, (r) => r.size === size)) continue;
      out.push([`${label} at ${count(size)} events ≤ 1.0× the raw floor (p50)`, ratio(floorRatio(single, id, size)), verdict(floorRatio(single, id, size), 1)]);
    }
  }
  for (const n of [4, 8]) {
    const bus = find(multi, 'prevention-bus', (r) => r.processes === n);
    const locked = find(multi, 'lockfile-write-file-atomic', (r) => r.processes === n);
    if (!bus || !locked) continue;
    const gain = bus.perSecond / locked.perSecond;
    out.push([`${n} processes publishing ≥ 3× proper-lockfile + write-file-atomic appends/s`, ratio(gain), verdict(gain, 3, { atLeast: true })]);
    out.push([`${n} processes publishing: p99 ≤ 5× p50`, `${ms(bus.p99)} / ${ms(bus.p50)} ms = ${ratio(bus.p99 / bus.p50)}`, verdict(bus.p99 / bus.p50, 5)]);
    out.push([`${n} processes publishing: 0 lost`, `${bus.lost} lost, ${bus.failed} failed`, bus.lost === 0 && bus.failed === 0 && !bus.corrupt ? '**met**' : '**missed**']);
  }
  const publish = find(single, 'prevention-bus', (r) => r.size === 1_000);
  const sqlite = find(single, 'better-sqlite3', (r) => r.size === 1_000);
  if (publish && sqlite) out.push(['one publish at 1,000 events ≤ 5× SQLite WAL (synchronous FULL), p50', `${ms(publish.p50)} / ${ms(sqlite.p50)} ms = ${ratio(publish.p50 / sqlite.p50)}`, verdict(publish.p50 / sqlite.p50, 5)]);
  if (replace && sqlite) {
    out.push([
      `… the file system alone: one durable replace of the 1,000-event file (${count(replace.bytes)} bytes: write, fsync, rename, directory fsync; no JSON, lock or check), p50`,
      `${ms(replace.p50)} / ${ms(sqlite.p50)} ms = ${ratio(replace.p50 / sqlite.p50)}`,
      replace.p50 / sqlite.p50 > 5 ? 'the 5× target is below what a whole-file write costs here' : 'within reach of a whole-file write',
    ]);
  }
  const small = find(single, 'prevention-bus', (r) => r.size === 1_000);
  const large = find(single, 'prevention-bus', (r) => r.size === 100_000);
  if (small?.userCpuMs && large?.userCpuMs) {
    // User time is prevention's own work; the kernel copying whole-file bytes (on a file system
    // that cannot clone, every append writes and re-reads the whole file) is system time.
    const growth = large.userCpuMs / small.userCpuMs;
    out.push([
      `on this run's file system, user CPU time per publish at 100,000 events ≤ 3× at 1,000 (system time, the kernel's copy of the whole file, beside it)`,
      `${ms(large.userCpuMs)} / ${ms(small.userCpuMs)} ms = ${ratio(growth)} (system ${ms(large.systemCpuMs)} / ${ms(small.systemCpuMs)} ms)`,
      verdict(growth, 3),
    ]);
  }
  out.push(...cloningTargets(cloning));
  return table(['target', 'measured', 'verdict'], out);
}

/** Issue 17's targets on the loop-mounted cloning file system, in the same run as SQLite there. */
function cloningTargets(cloning) {
  const name = 'on a cloning file system (XFS reflink)';
  if (!cloning || cloning.skipped) return [[`${name}: publish at 100k within 2× of 1k and 10× of SQLite, < 64 KiB written`, cloning?.skipped ?? 'not run', 'not measured']];
  const bus = (size) => find(cloning.rows, 'prevention-bus', (r) => r.size === size);
  const sqlite = find(cloning.rows, 'better-sqlite3', (r) => r.size === 100_000);
  const [small, large] = [bus(1_000), bus(100_000)];
  if (!small || !large || !sqlite) return [];
  return [
    [`${name}: publish at 100,000 events within 2× of one at 1,000 (p50)`, `${ms(large.p50)} / ${ms(small.p50)} ms = ${ratio(large.p50 / small.p50)}`, verdict(large.p50 / small.p50, 2)],
    [`${name}: publish at 100,000 events within 10× of SQLite WAL there (p50)`, `${ms(large.p50)} / ${ms(sqlite.p50)} ms = ${ratio(large.p50 / sqlite.p50)}`, verdict(large.p50 / sqlite.p50, 10)],
    [`${name}: bytes written per publish at 100,000 events < 64 KiB`, `${(large.bytesPerAppend / 1024).toFixed(1)} KiB`, verdict(large.bytesPerAppend / 1024, 64, { unit: ' KiB' })],
  ];
}

function cloningSection(cloning) {
  if (!cloning || cloning.skipped) return `Not run: ${cloning?.skipped ?? 'not part of this run'}.`;
  const body = cloning.rows.map((r) => [
    count(r.size),
    r.name,
    ms(r.p50),
    ms(r.p99),
    r.bytesPerAppend === undefined ? '–' : `${(r.bytesPerAppend / 1024).toFixed(1)} KiB`,
    r.userCpuMs === undefined ? '–' : `${ms(r.userCpuMs)} + ${ms(r.systemCpuMs)}`,
    r.events === r.expected ? 'yes' : `**no** (${r.events} of ${r.expected})`,
  ]);
  return `On ${cloning.fileSystem}, an image file on this run's disk: a file system that clones a file in O(1) (\`FICLONE\`), as XFS (RHEL's default), btrfs and APFS do.\n\n${table(['events', 'competitor', 'p50 ms', 'p99 ms', 'written / append', 'CPU ms / append (user + system)', 'all appends in file'], body)}`;
}

/** Issue 18's workload: 8 processes updating one document, on files, on PostgreSQL, and with naive `pg`. */
function postgresSection(postgres) {
  if (!postgres || postgres.skipped) return `Not run: ${postgres?.skipped ?? 'not part of this run'}.`;
  const body = postgres.rows.map((r) => [
    r.name,
    rate(r.perSecond),
    ms(r.p50),
    ms(r.p99),
    `${r.acknowledged} / ${r.appends}`,
    r.failed === 0 ? '0' : `${r.failed} (${r.errorSample.join('; ')})`,
    r.corrupt ? '**document unreadable**' : r.lost === 0 ? '0' : `**${r.lost}**`,
  ]);
  return `8 processes, each appending to one shared document 25 times: in an \`update()\` (read, change, write back), or (the "+ bus.publish" rows) alternating an \`update()\` and a \`bus.publish\`, on a throw-away server of this machine's PostgreSQL (fsync on, synchronous commit) and, for the file store, on this run's disk. Each process has its own engine and connection pool, as separate machines would.\n\n${table(['competitor', 'appends/s', 'p50 ms', 'p99 ms', 'acknowledged', 'failed', 'lost updates'], body)}`;
}

export function resultsMarkdown(results) {
  const { meta } = results;
  return `# prevention benchmarks

Generated by \`npm run bench\` on ${meta.date} in ${(meta.durationMs / 60000).toFixed(1)} min: ${meta.cpus} × ${meta.cpuModel}, Node ${meta.node},
scratch files in \`${meta.scratch}\` (${meta.fileSystem}). Every number below comes from this one run, and targets are
ratios against competitors measured in it, so they hold on a busy machine; absolute times are not comparable across runs.
${meta.quick ? '\n**Quick mode (BENCH_QUICK=1): a handful of iterations, for checking the harness only — not results.**\n' : ''}
Latency is per append, timed around one awaited call. "MB written / append" counts every byte the process passed to
write(2) (temp files, WAL pages, backups, the commit journal). At 100,000 events (~40 MB per rewrite) only a few appends
are timed per competitor, so the p99 there is close to the maximum of a small sample.

## Targets (issue 9)

${targets(results)}

## Targets (issue 14)

Absolute times, unlike the ratios above: they move with the machine's load (here ${results.cold ? `a bare \`node -e 0\` took ${ms(results.cold.bareNode.p50)} ms at p50` : 'not measured'}).

${startupTargets(results)}

## Targets (issue 16)

${serviceTargets(results)}

## Targets (issue 17)

${performanceTargets(results)}

## Issue 18: 8 processes on one document, files vs PostgreSQL

${postgresSection(results.postgres)}

## 1. Single writer, sequential durable appends

${singleWriterSection(results.single)}

### On a cloning file system

${cloningSection(results.cloning)}

![append latency against file size](latency-vs-size.svg)

### Append cost as the file grows

${slopeSection(results.single)}

### Profile: where a bus append's time goes

File system calls are timed at the engine's FileSystem port (wall time, awaited one after the other on the commit path);
CPU is V8's sampling profiler, self time per function, with native work charged to the JS function calling it
(\`serializeDocument\` is JSON.stringify plus UTF-8 encoding, \`update\` is sha256).

${profileSection(results.profile)}

## 2. In-process concurrency: ${count(results.group[0]?.count)} appends issued at once (1,000-event file)

${groupSection(results.group, results.single)}

proper-lockfile + write-file-atomic is not in this table: ${count(results.group[0]?.count)} callers in one process polling its
lock directory did not finish within 5 minutes (it is a cross-process lock; its users queue in-process writes themselves).

## 3. Processes appending concurrently (1,000-event file, each process appends one after the other)

Throughput counts every append over the whole run. The latency percentiles leave out each process's first append, for every
competitor: it also pays the process's cold start (lazy module loading, the first parse of the file, unoptimized code).

${multiSection(results.multi)}

## 4. Monitor

${results.monitor ? `From \`${results.monitor.file}\` (written by the monitor benchmark):\n\n${results.monitor.text.trim()}` : 'See the monitor benchmark (`bench/monitor-idle.*`); it had not written a result when this ran.'}

## 5. Cold start

Wall time of fresh processes, ${results.cold?.samples ?? 0} samples of each step taken in turn; \`import(...)\` and createEngine are
timed inside the process.${meta.baseline ? ` The "before" columns are ${meta.baseline} (\`BENCH_BASELINE\`), each of its samples taken right
after this checkout's, so both saw the same load.` : ''}

${coldSection(results.cold, meta)}

## 6. Install footprint

The packed tarballs (as \`npm run pack\` writes them) installed with npm into an empty project.

${footprintSection(results.footprint, meta)}

## What each competitor guarantees

${table(
  ['competitor', 'how it appends', 'safe across processes'],
  competitors.map((c) => [c.name, c.note, c.safeAcrossProcesses ? 'yes' : 'no']),
)}
`;
}
