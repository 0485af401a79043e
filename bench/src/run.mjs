/**
 * `npm run bench`: runs every workload in one process (the multi-process workload forks its
 * workers), then writes bench/results.md and bench/latency-vs-size.svg. BENCH_QUICK=1 runs a
 * few iterations of each, to check the harness; BENCH_DIR picks where scratch files go.
 * BENCH_BASELINE names the root of another built checkout (with its node_modules) whose cold
 * start and install footprint are measured alongside, as "before" figures; BENCH_BASELINE_LABEL
 * says what it is in the report (say, "commit c006d57").
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { latencySvg } from './report/latency-svg.mjs';
import { resultsMarkdown } from './report/results-md.mjs';
import { coldStart } from './workloads/cold-start.mjs';
import { installFootprint } from './workloads/footprint.mjs';
import { groupCommit } from './workloads/group-commit.mjs';
import { monitorResult } from './workloads/monitor.mjs';
import { multiProcess } from './workloads/multi-process.mjs';
import { profileAppends } from './workloads/profile.mjs';
import { pythonPublish } from './workloads/python-publish.mjs';
import { SIZES, singleWriter } from './workloads/single-writer.mjs';
import { cloningFileSystem } from './workloads/cloning-fs.mjs';
import { durableReplace } from './workloads/durable-replace.mjs';
import { postgresWorkload } from './workloads/postgres.mjs';

const quick = process.env.BENCH_QUICK === '1';
const scratch = process.env.BENCH_DIR ?? os.tmpdir();
const started = Date.now();
const log = (message) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);

function fileSystemOf(dir) {
  try {
    return execFileSync('df', ['--output=fstype', dir], { encoding: 'utf8' }).trim().split('\n').at(-1);
  } catch {
    return 'unknown file system';
  }
}

const results = {};
results.single = await singleWriter({ quick, log });
results.replace = await durableReplace({ quick, log });
results.cloning = await cloningFileSystem({ quick, log });
results.profile = await profileAppends({ sizes: quick ? [1_000] : SIZES, quick, log });
results.group = await groupCommit({ quick, log });
results.multi = await multiProcess({ quick, log });
results.python = await pythonPublish({ quick, log });
results.postgres = await postgresWorkload({ quick, log });
const baseline = process.env.BENCH_BASELINE;
results.cold = await coldStart({ quick, log, baseline });
results.footprint = await installFootprint({ log, baseline });
results.monitor = await monitorResult();
results.meta = {
  date: new Date().toISOString().slice(0, 16).replace('T', ' '),
  durationMs: Date.now() - started,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown CPU',
  node: process.version,
  scratch,
  fileSystem: fileSystemOf(scratch),
  quick,
  baseline: baseline ? (process.env.BENCH_BASELINE_LABEL ?? baseline) : undefined,
};

const out = new URL('../', import.meta.url);
await writeFile(new URL('results.md', out), resultsMarkdown(results));
await writeFile(new URL('latency-vs-size.svg', out), latencySvg(results.single));
log('wrote bench/results.md and bench/latency-vs-size.svg');
