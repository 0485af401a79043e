import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { seedBytes } from '../events.mjs';
import { removeDir, scratchDir } from '../harness.mjs';
import { elapsedMs, summarize } from '../stats.mjs';

/**
 * The file system's own price of a whole-file durable replace, with no JSON, lock or check
 * around it: the bytes of a 1,000-event file, written to a new temp file in one call, fsynced,
 * renamed over the target, the directory fsynced. Every competitor that keeps the events in one
 * plain JSON file pays at least this per append where the file system cannot clone; it is what
 * the ratio to SQLite's append is measured against.
 */
export async function durableReplace({ quick = false, events = 1_000, log = () => {} } = {}) {
  const iterations = quick ? 5 : 100;
  const bytes = seedBytes(events);
  const dir = await scratchDir('durable-replace');
  log(`durable replace of ${bytes.length} bytes × ${iterations}`);
  try {
    const target = path.join(dir, 'file.json');
    // Synchronous calls, as SQLite's are: no thread-pool round trip is counted as the disk's.
    const directory = openSync(dir, 'r');
    const latencies = [];
    try {
      for (let i = 0; i < iterations + 3; i++) {
        const start = process.hrtime.bigint();
        const temp = path.join(dir, `.file.json.${i}.tmp`);
        const fd = openSync(temp, 'wx');
        try {
          writeSync(fd, bytes, 0, bytes.length, 0);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        renameSync(temp, target);
        fsyncSync(directory);
        if (i >= 3) latencies.push(elapsedMs(start));
      }
    } finally {
      closeSync(directory);
    }
    return { events, bytes: bytes.length, ...summarize(latencies) };
  } finally {
    await removeDir(dir);
  }
}
