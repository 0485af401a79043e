import 'reflect-metadata';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../errors.js';
import { leftovers, tempDir } from '../__tests__/helpers.js';
import { MemoryStore } from '../testing/memory-store.js';
import { createEngine } from './create-engine.js';

describe('engine basics', () => {
  it('writes, reads and updates a document durably', async () => {
    const dir = await tempDir();
    const engine = await createEngine({ cwd: dir, config: false });
    const file = path.join(dir, 'a.json');
    const result = await engine.write('a.json', { events: [] });
    expect(result.file).toBe(file);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ events: [] });
    await engine.update<{ events: number[] }>('a.json', (draft) => {
      draft.events.push(1);
    });
    await engine.update<{ events: number[] }>('a.json', (draft) => ({ events: [...draft.events, 2] }));
    expect(await engine.read('a.json')).toEqual({ events: [1, 2] });
    expect(await leftovers(dir)).toEqual([]);
    await engine.close();
  });

  it('starts a missing file from the initial document', async () => {
    const dir = await tempDir();
    const engine = await createEngine({ cwd: dir, config: false, initial: { events: [] } });
    expect(await engine.read('missing.json')).toEqual({ events: [] });
    await engine.update<{ events: string[] }>('sub/dir/new.json', (d) => void d.events.push('x'));
    expect(JSON.parse(await readFile(path.join(dir, 'sub/dir/new.json'), 'utf8'))).toEqual({ events: ['x'] });
    await engine.close();
  });

  it('never reads a corrupt file as empty', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'bad.json'), '{"events": [1, 2');
    const engine = await createEngine({ cwd: dir, config: false });
    await expect(engine.read('bad.json')).rejects.toMatchObject({ code: ErrorCodes.CORRUPT_DOCUMENT, details: { offset: 16 } });
    await expect(engine.update('bad.json', () => ({}))).rejects.toMatchObject({ code: ErrorCodes.CORRUPT_DOCUMENT });
    expect(await readFile(path.join(dir, 'bad.json'), 'utf8')).toBe('{"events": [1, 2');
    await engine.close();
  });

  it('refuses to read or start over a committed file that was deleted from outside', async () => {
    const dir = await tempDir();
    const engine = await createEngine({ cwd: dir, config: false, initial: { events: [] }, onCorrupt: 'fail' });
    await engine.update<{ events: string[] }>('a.json', (d) => void d.events.push('acked'));
    await unlink(path.join(dir, 'a.json'));
    await expect(engine.update<{ events: string[] }>('a.json', (d) => void d.events.push('next'))).rejects.toMatchObject({
      code: ErrorCodes.CORRUPT_DOCUMENT,
      details: { reason: 'deleted' },
    });
    await expect(readFile(path.join(dir, 'a.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    // Nor is it read as the initial document: a reader would see every acknowledged write gone.
    await expect(engine.read('a.json')).rejects.toMatchObject({ code: ErrorCodes.CORRUPT_DOCUMENT, details: { reason: 'deleted' } });
    await expect(engine.bus('a.json').events()).rejects.toMatchObject({ code: ErrorCodes.CORRUPT_DOCUMENT });
    await engine.close();
  });

  it('does not take a document created between a reader\'s look and its reading of the commit record for one deleted from outside', async () => {
    const store = new MemoryStore();
    const writer = await createEngine({ cwd: '/project', config: false, store, initial: { events: [] } });
    let raced = false;
    // The reader's first look finds nothing; the writer's first commit lands before the reader reads the commit record.
    const racing = Object.assign(Object.create(store) as MemoryStore, {
      load: async (...args: Parameters<MemoryStore['load']>) => {
        const seen = await store.load(...args);
        if (!seen && !raced) {
          raced = true;
          await writer.write('a.json', { events: ['first'] });
        }
        return seen;
      },
    });
    const reader = await createEngine({ cwd: '/project', config: false, store: racing, initial: { events: [] } });
    expect(await reader.read('a.json')).toEqual({ events: ['first'] });
    expect(raced).toBe(true);
    await Promise.all([writer.close(), reader.close()]);
  });
});
