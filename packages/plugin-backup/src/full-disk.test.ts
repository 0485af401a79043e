import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, ErrorCodes, type EngineEventMap } from '@prevention/core';
import { afterEach, describe, expect, it } from 'vitest';
import { filesUnder, tempDir, tempFilesUnder } from './__tests__/helpers.js';
import backup from './index.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const mounted: string[] = [];

/** Mounts a 64 KiB tmpfs at a fresh directory: a real file system that runs out of space. */
async function smallDisk(parent: string): Promise<string> {
  const dir = path.join(parent, 'small-disk');
  await mkdir(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', dir]);
  mounted.push(dir);
  return dir;
}

/** Fills the disk at `dir` until the kernel answers ENOSPC. */
async function fill(dir: string): Promise<void> {
  await expect(writeFile(path.join(dir, 'filler'), Buffer.alloc(1024 * 1024, 1))).rejects.toMatchObject({ code: 'ENOSPC' });
}

afterEach(() => {
  for (const dir of mounted.splice(0)) execFileSync('umount', [dir]);
});

// Mounting needs root; CI runs as root. Elsewhere these tests are skipped, and say why.
describe.skipIf(!isRoot)('a full disk under the backup directory (mounts a tmpfs: needs root)', () => {
  it('with a second strategy elsewhere, the write succeeds and backup:failed is emitted', async () => {
    const dir = await tempDir();
    const disk = await smallDisk(dir);
    const engine = await createEngine({
      cwd: dir,
      config: false,
      logger: { level: 'silent' },
      plugins: [backup({ strategies: [{ type: 'rotating', keep: 3, dir: disk }, { type: 'timestamped', keepLast: 3, dir: 'elsewhere' }] })],
    });
    await engine.write('data.json', { events: [1] });
    await fill(disk);
    const failed: Array<EngineEventMap['backup:failed']> = [];
    engine.on('backup:failed', (event) => failed.push(event));

    await engine.write('data.json', { events: [1, 2] });

    expect(JSON.parse(await readFile(path.join(dir, 'data.json'), 'utf8'))).toEqual({ events: [1, 2] });
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ strategy: `rotating:${disk}`, required: true, error: { code: ErrorCodes.IO_FAILED, details: { systemCode: 'ENOSPC' } } });
    const [newest] = await engine.backups('data.json');
    expect(newest).toMatchObject({ strategy: `timestamped:${path.join(dir, 'elsewhere')}` });
    expect(await tempFilesUnder(disk)).toEqual([]);
    await engine.close();
  });

  it('with a single required strategy, the write fails with PREVENTION_BACKUP_FAILED and changes nothing', async () => {
    const dir = await tempDir();
    const disk = await smallDisk(dir);
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, plugins: [backup({ strategies: [{ type: 'rotating', keep: 3, dir: disk }] })] });
    await engine.write('data.json', { events: [1] });
    const file = path.join(dir, 'data.json');
    const before = await readFile(file);
    await fill(disk);
    const filesBefore = await filesUnder(dir);
    const failed: Array<EngineEventMap['backup:failed']> = [];
    engine.on('backup:failed', (event) => failed.push(event));

    await expect(engine.write('data.json', { events: [1, 2] })).rejects.toMatchObject({ code: ErrorCodes.BACKUP_FAILED, file });

    expect(await readFile(file)).toEqual(before);
    expect(failed).toEqual([expect.objectContaining({ strategy: `rotating:${disk}`, required: true })]);
    // No temp file left, on the full disk or beside the data; the old backup is still there.
    expect(await filesUnder(dir)).toEqual(filesBefore);
    expect(await tempFilesUnder(dir)).toEqual([]);
    expect(await engine.backups('data.json')).toHaveLength(1);
    await engine.close();
  });
});
