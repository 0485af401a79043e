import 'reflect-metadata';
import { lstat, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../errors.js';
import { createEngine } from '../engine/create-engine.js';
import { TempDirs } from '../testing/temp-dirs.js';

const dirs = new TempDirs();
afterEach(() => dirs.removeAll());

/**
 * The first Python bus locks `<file>.lock` as a regular file (open, flock, delete on unlock),
 * where prevention's lock is a directory of that name: each must wait for the other's.
 */
describe('a regular file at the lock path (the older Python bus lock)', () => {
  it('waits for it like a held lock, and commits once its holder deletes it', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'shared.json');
    const engine = await createEngine({ cwd: dir, config: false, lock: { staleMs: 10_000, timeoutMs: 30_000 }, initial: { events: [] } });
    await writeFile(`${file}.lock`, '');
    let committed = false;
    const write = engine.update<{ events: string[] }>('shared.json', (d) => void d.events.push('after')).then(() => (committed = true));
    // The writer is waiting on the legacy lock, not failing on it: give it a few retries.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(committed).toBe(false);
    await rm(`${file}.lock`);
    await write;
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ events: ['after'] });
    await expect(lstat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
    await engine.close();
  });

  it('times out on a fresh one with LOCK_TIMEOUT, never ENOTDIR, leaving it alone', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'shared.json');
    const engine = await createEngine({ cwd: dir, config: false, lock: { staleMs: 10_000, timeoutMs: 300 } });
    await writeFile(`${file}.lock`, '');
    await expect(engine.write('shared.json', { events: [] })).rejects.toMatchObject({ code: ErrorCodes.LOCK_TIMEOUT });
    expect((await lstat(`${file}.lock`)).isFile()).toBe(true);
    await engine.close();
  });

  it('takes over one older than the stale threshold (left by a killed agent) and reports it', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'shared.json');
    const engine = await createEngine({ cwd: dir, config: false, lock: { staleMs: 2_000, timeoutMs: 10_000 } });
    const stale: number[] = [];
    engine.on('lock:stale-recovered', ({ ageMs }) => stale.push(ageMs));
    await writeFile(`${file}.lock`, '');
    const past = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, past, past);
    await engine.write('shared.json', { events: [] });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ events: [] });
    expect(stale).toHaveLength(1);
    expect(stale[0]).toBeGreaterThanOrEqual(60_000);
    await expect(lstat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
    await engine.close();
  });

  it('still refuses a symbolic link planted at the lock path, whatever its age', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'shared.json');
    await writeFile(path.join(dir, 'elsewhere'), 'keep');
    await symlink(path.join(dir, 'elsewhere'), `${file}.lock`);
    const past = new Date(Date.now() - 60_000);
    await utimes(path.join(dir, 'elsewhere'), past, past);
    const engine = await createEngine({ cwd: dir, config: false, lock: { staleMs: 2_000, timeoutMs: 2_000 } });
    await expect(engine.write('shared.json', { events: [] })).rejects.toMatchObject({ code: ErrorCodes.IO_FAILED });
    expect(await readFile(path.join(dir, 'elsewhere'), 'utf8')).toBe('keep');
    expect((await lstat(`${file}.lock`)).isSymbolicLink()).toBe(true);
    await engine.close();
  });
});
