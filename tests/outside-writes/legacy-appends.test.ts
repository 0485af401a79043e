import { readdir, readFile, writeFile } from 'node:fs/promises';
import { quarantineDirFor, type EngineEventMap, type FileOptions } from '@prevention/core';
import { describe, expect, it } from 'vitest';
import { backedUpProject } from '../support/backed-up-project.js';

type Context = { events: Array<Record<string, unknown>>; [key: string]: unknown };

const setup = (options: FileOptions = {}) => backedUpProject({ files: [{ path: 'shared_context.json', ...options }] });

/** What the first Python bus does to publish: load, append `{timestamp, event, data}`, rewrite. */
async function legacyPublish(file: string, event: string): Promise<void> {
  const context = JSON.parse(await readFile(file, 'utf8')) as Context;
  context.events.push({ timestamp: '2026-12-02T10:00:00.000000', event, data: { from: 'python' } });
  context.last_updated = '2026-12-02T10:00:00.000000';
  await writeFile(file, JSON.stringify(context, null, 2));
}

const typesIn = async (file: string) => (JSON.parse(await readFile(file, 'utf8')) as Context).events.map((e) => e.type ?? e.event);

describe('acceptOutsideAppends: agents on the older bus during a migration', () => {
  it('adopts an outside write that only appends events, with no alarm and nothing quarantined', async () => {
    const { engine, file } = await setup({ acceptOutsideAppends: true, eventFormat: 'legacy-event' });
    const bus = engine.bus('shared_context.json');
    await bus.publish({ type: 'a', source: 'node' });
    const detected: unknown[] = [];
    const appended: Array<EngineEventMap['outside-write:appended']> = [];
    engine.on('corruption:detected', (e) => detected.push(e));
    engine.on('outside-write:accepted', (e) => detected.push(e));
    engine.on('outside-write:appended', (e) => appended.push(e));
    await legacyPublish(file, 'python.1');
    await legacyPublish(file, 'python.2');
    await bus.publish({ type: 'b', source: 'node' });
    expect(await typesIn(file)).toEqual(['a', 'python.1', 'python.2', 'b']);
    expect(detected).toEqual([]);
    expect(appended).toHaveLength(1);
    await expect(readdir(quarantineDirFor(file))).rejects.toMatchObject({ code: 'ENOENT' });
    // Readers see the appended events too, and the file keeps its own shape.
    expect((await bus.events()).map((e) => e.type)).toEqual(['a', 'python.1', 'python.2', 'b']);
    expect((JSON.parse(await readFile(file, 'utf8')) as Context).events.at(-1)).toMatchObject({ event: 'b', data: null });
    await engine.close();
  });

  it('still applies onOutsideWrite to anything else: a rewrite that drops an event is rolled back', async () => {
    const { engine, file } = await setup({ acceptOutsideAppends: true });
    const bus = engine.bus('shared_context.json');
    for (const type of ['a', 'b']) await bus.publish({ type, source: 'node' });
    const detected: Array<EngineEventMap['corruption:detected']> = [];
    engine.on('corruption:detected', (e) => detected.push(e));
    const context = JSON.parse(await readFile(file, 'utf8')) as Context;
    // Appends one, but drops the first: not an append.
    await writeFile(file, JSON.stringify({ ...context, events: [...context.events.slice(1), { timestamp: 'x', event: 'python', data: {} }] }));
    await bus.publish({ type: 'c', source: 'node' });
    expect(await typesIn(file)).toEqual(['a', 'b', 'c']);
    expect(detected.map((e) => e.kind)).toEqual(['modified']);
    // And an append that also changes another key is no mere append either.
    await writeFile(file, JSON.stringify({ ...(JSON.parse(await readFile(file, 'utf8')) as Context), owner: 'someone' }));
    await bus.publish({ type: 'd', source: 'node' });
    expect(await typesIn(file)).toEqual(['a', 'b', 'c', 'd']);
    expect(detected.map((e) => e.kind)).toEqual(['modified', 'modified']);
    await engine.close();
  });

  it('rolls a legacy append back without the setting (the default), as any outside write', async () => {
    const { engine, file } = await setup();
    const bus = engine.bus('shared_context.json');
    await bus.publish({ type: 'a', source: 'node' });
    await legacyPublish(file, 'python.1');
    await bus.publish({ type: 'b', source: 'node' });
    expect(await typesIn(file)).toEqual(['a', 'b']);
    await engine.close();
  });
});

describe('eventFormat as a file setting', () => {
  it('writes new events in the configured shape, which a publish may override', async () => {
    const { engine, file } = await setup({ eventFormat: 'legacy-event' });
    await engine.bus('shared_context.json').publish({ type: 'a', source: 'node', payload: { n: 1 } });
    await engine.bus('shared_context.json', { eventFormat: 'prevention' }).publish({ type: 'b', source: 'node' });
    const [first, second] = (JSON.parse(await readFile(file, 'utf8')) as Context).events;
    expect(first).toMatchObject({ event: 'a', data: { n: 1 } });
    expect(first).not.toHaveProperty('type');
    expect(second).toMatchObject({ type: 'b', source: 'node' });
    await engine.close();
  });
});
