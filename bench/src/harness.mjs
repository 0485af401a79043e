import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { publishInput } from './events.mjs';
import { bytesWritten } from './io-counter.mjs';
import { elapsedMs, summarize } from './stats.mjs';

/**
 * The one harness every competitor runs through: a fresh directory, the file seeded with `size`
 * events, then appends timed one by one. Competitors differ only in their `open(file).append`.
 */

/** A fresh scratch directory on the machine's disk (not tmpfs, so fsync costs what it costs), or in `base`. */
export async function scratchDir(label, base = process.env.BENCH_DIR ?? os.tmpdir()) {
  return mkdtemp(path.join(base, `prevention-bench-${label}-`));
}

export async function removeDir(dir) {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Creates `dir/<competitor>.<ext>` holding `size` events; returns its path. A competitor that
 * starts something for the directory in `seed` (a service) stops it in `release(dir)`, which
 * every workload calls before removing the directory.
 */
export async function seededFile(competitor, dir, size) {
  const file = path.join(dir, `${competitor.id}.${competitor.extension}`);
  await competitor.seed(file, size);
  return file;
}

/**
 * Sequential appends: `warmup` untimed (first parse, JIT), then `iterations` timed one at a time.
 * Returns latency stats, bytes written and CPU time (user and system) per append, and how many
 * events the file ends with. `base` is where the scratch directory goes (default: BENCH_DIR).
 */
export async function sequentialAppends(competitor, { size, iterations, warmup = 3, openOptions, base }) {
  const dir = await scratchDir(competitor.id, base);
  try {
    const file = await seededFile(competitor, dir, size);
    const store = await competitor.open(file, openOptions);
    try {
      for (let i = 0; i < warmup; i++) await store.append(publishInput(size + i + 1));
      const latencies = [];
      const written = bytesWritten();
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      for (let i = 0; i < iterations; i++) {
        const t = process.hrtime.bigint();
        await store.append(publishInput(size + warmup + i + 1));
        latencies.push(elapsedMs(t));
      }
      const totalMs = elapsedMs(start);
      const used = process.cpuUsage(cpu);
      // A competitor whose writes are made by another process (a service) has none to count here.
      const bytesPerAppend = competitor.writesInAnotherProcess ? undefined : (bytesWritten() - written) / iterations;
      const perAppend = (micros) => (competitor.writesInAnotherProcess ? undefined : micros / 1000 / iterations);
      return { ...summarize(latencies), totalMs, perSecond: (iterations / totalMs) * 1000, bytesPerAppend, userCpuMs: perAppend(used.user), systemCpuMs: perAppend(used.system), events: await competitor.count(file), expected: size + warmup + iterations };
    } finally {
      await store.close();
    }
  } finally {
    await competitor.release?.(dir);
    await removeDir(dir);
  }
}

/**
 * `count` appends issued at once from one process (what group commit is for). Returns the
 * throughput and how many appends the file really holds afterwards (lost updates for the
 * unlocked competitors). `onOpen` sees the open store (the engine counts its commits there).
 */
export async function concurrentAppends(competitor, { size, count, onOpen }) {
  const dir = await scratchDir(competitor.id);
  try {
    const file = await seededFile(competitor, dir, size);
    const store = await competitor.open(file);
    const observed = onOpen?.(store);
    try {
      await store.append(publishInput(size + 1)); // first load outside the timing, as in the sequential runs
      const start = process.hrtime.bigint();
      const results = await Promise.allSettled(Array.from({ length: count }, (_, i) => store.append(publishInput(size + i + 2))));
      const totalMs = elapsedMs(start);
      const failed = results.filter((r) => r.status === 'rejected').length;
      const events = await competitor.count(file).catch(() => NaN);
      return { totalMs, perSecond: (count / totalMs) * 1000, failed, lost: size + 1 + count - failed - events, observed: observed?.() };
    } finally {
      await store.close();
    }
  } finally {
    await competitor.release?.(dir);
    await removeDir(dir);
  }
}
