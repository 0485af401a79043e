import { preventionBus } from '../competitors/prevention.mjs';
import { publishInput } from '../events.mjs';
import { removeDir, scratchDir, seededFile } from '../harness.mjs';
import { profileSelfTime } from '../profile/cpu-profile.mjs';
import { timedFileSystem } from '../profile/timed-file-system.mjs';
import { elapsedMs } from '../stats.mjs';

/**
 * Where a bus append's time goes as the file grows: wall time per append split into the
 * engine's file system calls (timed at the port) and the CPU self time of its JS functions
 * (sampled), on warm appends at each size. The dominant cost is the largest of these.
 */
export async function profileAppends({ sizes, quick = false, log = () => {} }) {
  const results = [];
  for (const size of sizes) {
    const appends = quick ? 2 : size >= 100_000 ? 3 : 10;
    log(`profile: bus append at ${size} events × ${appends}`);
    const dir = await scratchDir('profile');
    const timing = timedFileSystem();
    try {
      const file = await seededFile(preventionBus, dir, size);
      const store = await preventionBus.open(file, { fileSystem: timing.fs });
      try {
        await store.append(publishInput(0)); // loads and caches the seeded file
        timing.reset();
        const start = process.hrtime.bigint();
        const cpu = await profileSelfTime(async () => {
          for (let i = 1; i <= appends; i++) await store.append(publishInput(i));
        });
        const wallMs = elapsedMs(start) / appends;
        const io = Object.entries(timing.totals())
          .map(([method, ms]) => ({ method, ms: ms / appends }))
          .sort((a, b) => b.ms - a.ms);
        const functions = cpu.functions
          .filter((f) => f.name !== '(idle)' && f.name !== '(program)')
          .slice(0, 8)
          .map((f) => ({ name: f.name, ms: f.ms / appends }));
        const idle = cpu.functions.find((f) => f.name === '(idle)')?.ms ?? 0;
        results.push({ size, appends, wallMs, io, functions, cpuMs: (cpu.totalMs - idle) / appends });
      } finally {
        await store.close();
      }
    } finally {
      await removeDir(dir);
    }
  }
  return results;
}
