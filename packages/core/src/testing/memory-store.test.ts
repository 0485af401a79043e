import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine/create-engine.js';
import { ErrorCodes } from '../errors.js';
import { documentStoreContract } from './document-store-contract.js';
import { MemoryStore } from './memory-store.js';

describe('MemoryStore keeps the DocumentStore contract', () => {
  documentStoreContract(
    {
      make: async () => {
        // One process's memory: a second store on it is the same store.
        const store = new MemoryStore();
        return { store, name: '/project/doc.json', another: () => store };
      },
    },
    it,
  );
});

describe('an engine on the memory store', () => {
  it('reads, writes, updates and group-commits without touching a disk', async () => {
    const store = new MemoryStore();
    const engine = await createEngine({ cwd: '/nonexistent/project', config: false, store, initial: { events: [] } });
    expect(await engine.read('a.json')).toEqual({ events: [] });
    const first = await engine.write('a.json', { events: [1] });
    let commits = 0;
    engine.on('commit', () => (commits += 1));
    await Promise.all([2, 3, 4].map((n) => engine.update<{ events: number[] }>('a.json', (d) => void d.events.push(n))));
    expect(commits).toBe(1);
    expect(await engine.read('a.json')).toEqual({ events: [1, 2, 3, 4] });
    await expect(engine.write('a.json', {}, { ifMatch: first.sha256 })).rejects.toMatchObject({ code: ErrorCodes.PRECONDITION_FAILED });
    expect((await store.lastRecord('/nonexistent/project/a.json'))?.sha256).toBe((await engine.readVersion('a.json')).sha256);
    await engine.close();
  });

  it('follows bus events another engine on the same store publishes', async () => {
    const store = new MemoryStore();
    const writer = await createEngine({ cwd: '/nonexistent/project', config: false, store, initial: { events: [] } });
    const reader = await createEngine({ cwd: '/nonexistent/project', config: false, store, initial: { events: [] } });
    const seen: string[] = [];
    let done: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (done = resolve));
    const stop = reader.bus('ctx.json', { pollMs: 5 }).subscribe((event) => {
      seen.push(event.type);
      if (seen.length === 3) done();
    }, { since: 0 });
    for (const type of ['a', 'b', 'c']) await writer.bus('ctx.json').publish({ type, source: 'writer' });
    await all;
    stop();
    expect(seen).toEqual(['a', 'b', 'c']);
    await Promise.all([writer.close(), reader.close()]);
  });

  it('refuses invalid content and keeps the stored version byte for byte', async () => {
    const store = new MemoryStore();
    const engine = await createEngine({ cwd: '/nonexistent/project', config: false, store });
    await engine.write('a.json', { ok: true });
    const before = await store.readBack('/nonexistent/project/a.json');
    await expect(engine.write('a.json', { bad: 1n })).rejects.toMatchObject({ code: ErrorCodes.VALIDATION_FAILED });
    expect(await store.readBack('/nonexistent/project/a.json')).toEqual(before);
    await engine.close();
  });
});
