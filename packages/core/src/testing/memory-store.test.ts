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

  it('keeps bus retention\'s archive in the store: no file is written, another engine reads every event, a refused publish archives nothing', async () => {
    const store = new MemoryStore();
    // No such directory: an archive in files beside the document would fail to be written.
    const files = [{ path: 'ctx.json', schema: { type: 'object', properties: { events: { type: 'array', items: { not: { properties: { payload: { const: 'refuse' } }, required: ['payload'] } } } } } }];
    const writer = await createEngine({ cwd: '/nonexistent/project', config: false, store, files });
    const reader = await createEngine({ cwd: '/nonexistent/project', config: false, store, files });
    const bus = writer.bus('ctx.json', { maxEvents: 2 });
    for (let n = 1; n <= 4; n++) await bus.publish({ type: 't', source: 's', payload: n });
    await expect(bus.publishMany<number | string>([{ type: 't', source: 's', payload: 5 }, { type: 't', source: 's', payload: 'refuse' }])).rejects.toMatchObject({ code: ErrorCodes.VALIDATION_FAILED });
    expect((await store.eventArchive.read('/nonexistent/project/ctx.json', 0, Infinity)).map((row) => row.seq)).toEqual([1, 2]);
    await bus.publish({ type: 't', source: 's', payload: 5 });
    const events = await reader.bus('ctx.json', { maxEvents: 2 }).events();
    expect(events.map((e) => [e.seq, e.payload])).toEqual([[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]]);
    expect(await bus.inspectArchive()).toMatchObject({ state: 'intact', lines: 3 });
    await Promise.all([writer.close(), reader.close()]);
  });

  it('refuses bus retention on a store that keeps no event archive, before anything is written', async () => {
    const store = new MemoryStore();
    const bare = Object.assign(Object.create(store) as MemoryStore, { eventArchive: undefined });
    const engine = await createEngine({ cwd: '/nonexistent/project', config: false, store: bare });
    expect(() => engine.bus('ctx.json', { maxEvents: 2 })).toThrow(expect.objectContaining({ code: ErrorCodes.CONFIG_INVALID, message: expect.stringMatching(/event archive/) }));
    expect(await store.head('/nonexistent/project/ctx.json')).toBeUndefined();
    await engine.close();
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
