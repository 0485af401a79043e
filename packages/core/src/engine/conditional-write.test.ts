import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../errors.js';
import { TempDirs } from '../testing/temp-dirs.js';
import { createEngine } from './create-engine.js';
import { sha256Hex } from '../commit/sha256.js';

const dirs = new TempDirs();
afterEach(() => dirs.removeAll());

describe('conditional writes (ifMatch / ifNoneMatch)', () => {
  it('reads a version token that is the sha256 of the bytes on disk, none for a missing file', async () => {
    const dir = await dirs.make();
    const engine = await createEngine({ cwd: dir, config: false, initial: { events: [] } });
    expect(await engine.readVersion('a.json')).toEqual({ document: { events: [] }, sha256: undefined });
    const committed = await engine.write('a.json', { n: 1 });
    const version = await engine.readVersion('a.json');
    expect(version).toEqual({ document: { n: 1 }, sha256: committed.sha256 });
    expect(version.sha256).toBe(sha256Hex(await readFile(path.join(dir, 'a.json'))));
    await engine.close();
  });

  it('commits on the version named and refuses a stale one, leaving the file as it was', async () => {
    const dir = await dirs.make();
    const engine = await createEngine({ cwd: dir, config: false });
    const first = await engine.write('a.json', { n: 1 }, { ifNoneMatch: '*' });
    const second = await engine.write('a.json', { n: 2 }, { ifMatch: first.sha256 });
    const before = await readFile(path.join(dir, 'a.json'));
    await expect(engine.write('a.json', { n: 3 }, { ifMatch: first.sha256 })).rejects.toMatchObject({
      code: ErrorCodes.PRECONDITION_FAILED,
      details: { current: second.sha256, expected: first.sha256 },
    });
    await expect(engine.update('a.json', () => ({ n: 4 }), { ifMatch: first.sha256 })).rejects.toMatchObject({ code: ErrorCodes.PRECONDITION_FAILED });
    await expect(engine.write('a.json', { n: 5 }, { ifNoneMatch: '*' })).rejects.toMatchObject({ code: ErrorCodes.PRECONDITION_FAILED });
    expect(await readFile(path.join(dir, 'a.json'))).toEqual(before);
    await engine.update<{ n: number }>('a.json', (d) => void (d.n += 10), { ifMatch: second.sha256 });
    expect(await engine.read('a.json')).toEqual({ n: 12 });
    await engine.close();
  });

  it('checks each change of a group commit against the version the changes before it made', async () => {
    const dir = await dirs.make();
    const engine = await createEngine({ cwd: dir, config: false });
    const base = await engine.write('a.json', { n: 0 });
    // Queued in one tick: one commit. Both were made against `base`; only the first may win.
    const results = await Promise.allSettled([
      engine.write('a.json', { n: 1 }, { ifMatch: base.sha256 }),
      engine.write('a.json', { n: 2 }, { ifMatch: base.sha256 }),
      engine.write('a.json', { n: 3 }, { ifNoneMatch: '*' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(await engine.read('a.json')).toEqual({ n: 1 });
    // The token of the first one's result is the version on disk, so a follow-up can chain on it.
    const won = (results[0] as PromiseFulfilledResult<{ sha256: string }>).value.sha256;
    await engine.write('a.json', { n: 9 }, { ifMatch: won });
    expect(await engine.read('a.json')).toEqual({ n: 9 });
    await engine.close();
  });

  it('compares with the bytes on disk for a version written outside prevention and adopted', async () => {
    const dir = await dirs.make();
    const engine = await createEngine({ cwd: dir, config: false });
    await writeFile(path.join(dir, 'a.json'), '{"n":7}');
    const version = await engine.readVersion('a.json');
    expect(version.sha256).toBe(sha256Hex(Buffer.from('{"n":7}')));
    await engine.write('a.json', { n: 8 }, { ifMatch: version.sha256 });
    expect(await engine.read('a.json')).toEqual({ n: 8 });
    await engine.close();
  });
});
