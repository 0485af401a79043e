import { mkdir, readFile, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine/create-engine.js';
import { ManualClock } from '../testing/manual-clock.js';
import { InstrumentedFileSystem } from '../testing/instrumented-file-system.js';
import { tempDir } from '../__tests__/helpers.js';

describe('waiting for a held lock', () => {
  it('takes the lock as soon as its holder releases it, without waiting out a retry delay', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'data.json');
    // Another process's lock, fresh: never stale within this test.
    await mkdir(`${file}.lock`);
    // A clock that never moves: a contender that only sleeps between attempts would wait forever.
    const clock = new ManualClock(Date.now());
    const traced = new InstrumentedFileSystem();
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, clock, fileSystem: traced.fs, lock: { staleMs: 60_000, timeoutMs: 60_000 } });
    const writing = engine.write(file, { v: 1 });
    await expect.poll(() => traced.calls.some((c) => c.op === 'watchDirectory')).toBe(true);
    await rmdir(`${file}.lock`);
    await writing;
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ v: 1 });
    await engine.close();
  });
});
