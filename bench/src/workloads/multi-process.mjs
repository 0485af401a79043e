import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { competitors } from '../competitors/index.mjs';
import { removeDir, scratchDir, seededFile } from '../harness.mjs';
import { elapsedMs, summarize } from '../stats.mjs';

/**
 * Workload 3 (and the bus benchmark's 1 and 4 processes): N processes appending concurrently to
 * one 1,000-event file, each one append after the other. Reports throughput over the whole run,
 * per-append latency (each process's first append untimed: see the worker), appends that failed, and lost updates (appends that reported success but
 * are not in the file). A competitor's file that no longer parses counts as corrupt.
 */
export const PROCESS_COUNTS = [1, 4, 8];
const FILE_EVENTS = 1_000;
const worker = fileURLToPath(new URL('../workers/append-worker.mjs', import.meta.url));

function appendsPerProcess(processes, quick) {
  if (quick) return 3;
  return processes === 1 ? 60 : processes === 4 ? 40 : 25;
}

function spawnWorker(competitor, file, count, source) {
  const child = fork(worker, [competitor.id, file, String(count), source], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${competitor.id} worker exited with ${code} before it was ready`)));
  });
  const report = ready.then(
    () =>
      new Promise((resolve, reject) => {
        child.once('message', resolve);
        child.once('exit', (code) => reject(new Error(`${competitor.id} worker exited with ${code} before reporting`)));
      }),
  );
  return { child, ready, report };
}

export async function runProcesses(competitor, processes, count) {
  const dir = await scratchDir(`${competitor.id}-${processes}p`);
  try {
    const file = await seededFile(competitor, dir, FILE_EVENTS);
    const workers = Array.from({ length: processes }, (_, i) => spawnWorker(competitor, file, count, `worker-${i}`));
    await Promise.all(workers.map((w) => w.ready));
    const start = process.hrtime.bigint();
    for (const w of workers) w.child.send('go');
    const reports = await Promise.all(workers.map((w) => w.report));
    const totalMs = elapsedMs(start);
    const latencies = reports.flatMap((r) => r.latencies);
    const errors = reports.flatMap((r) => r.errors);
    let events;
    try {
      events = await competitor.count(file);
    } catch {
      events = undefined;
    }
    const acknowledged = reports.reduce((sum, r) => sum + r.acknowledged, 0);
    return {
      processes,
      appends: processes * count,
      acknowledged,
      failed: errors.length,
      errorSample: [...new Set(errors)].slice(0, 2),
      corrupt: events === undefined,
      lost: events === undefined ? acknowledged : FILE_EVENTS + acknowledged - events,
      totalMs,
      perSecond: (acknowledged / totalMs) * 1000,
      ...summarize(latencies),
    };
  } finally {
    await competitor.release?.(dir);
    await removeDir(dir);
  }
}

export async function multiProcess({ quick = false, counts = PROCESS_COUNTS, log = () => {} } = {}) {
  const rows = [];
  for (const processes of counts) {
    for (const competitor of competitors) {
      const count = appendsPerProcess(processes, quick);
      log(`multi-process: ${competitor.id}, ${processes} × ${count}`);
      rows.push({ id: competitor.id, name: competitor.name, safe: competitor.safeAcrossProcesses, ...(await runProcesses(competitor, processes, count)) });
    }
  }
  return rows;
}
