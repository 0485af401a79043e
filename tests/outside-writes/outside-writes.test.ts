import { readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, ErrorCodes, journalPathFor, quarantineDirFor, type EngineEventMap } from '@prevention/core';
import backup from '@prevention/plugin-backup';
import { describe, expect, it } from 'vitest';
import { backedUpProject } from '../support/backed-up-project.js';
import { tempDir } from '../support/temp-dir.js';

type Context = { version?: number; events: Array<{ id: string; type?: string; event?: string }> };

const setup = backedUpProject;

const typesIn = async (file: string) => (JSON.parse(await readFile(file, 'utf8')) as Context).events.map((e) => e.type ?? e.event);

describe('a valid write from outside prevention', () => {
  it('is rolled back before a writer applies its change (onOutsideWrite: restore, the default), the outside version quarantined', async () => {
    const { engine, file } = await setup();
    const bus = engine.bus('shared_context.json');
    for (const type of ['a', 'b', 'c']) await bus.publish({ type, source: 'test' });
    const detected: Array<EngineEventMap['corruption:detected']> = [];
    engine.on('corruption:detected', (e) => detected.push(e));
    // A script resets the file in place: valid JSON that passes the bus schema.
    await writeFile(file, JSON.stringify({ version: 1, events: [] }));
    await bus.publish({ source: 'test', type: 'd' });
    expect(await typesIn(file)).toEqual(['a', 'b', 'c', 'd']);
    expect(detected.map((e) => e.kind)).toEqual(['modified']);
    const quarantined = await readdir(quarantineDirFor(file));
    expect(quarantined).toHaveLength(1);
    expect(JSON.parse(await readFile(path.join(quarantineDirFor(file), quarantined[0]!), 'utf8'))).toEqual({ version: 1, events: [] });
    await engine.close();
  });

  it('is adopted under onOutsideWrite: accept, with an event naming the acknowledged events it dropped', async () => {
    const { engine, file } = await setup({ files: [{ path: '*.json', onOutsideWrite: 'accept' }] });
    const bus = engine.bus('shared_context.json');
    const published = [];
    for (const type of ['a', 'b', 'c']) published.push(await bus.publish({ type, source: 'test' }));
    const accepted: Array<EngineEventMap['outside-write:accepted']> = [];
    engine.on('outside-write:accepted', (e) => accepted.push(e));
    const raw = JSON.parse(await readFile(file, 'utf8')) as Context;
    await writeFile(file, JSON.stringify({ ...raw, events: raw.events.slice(0, 1) }));
    await bus.publish({ source: 'test', type: 'd' });
    expect(await typesIn(file)).toEqual(['a', 'd']);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ file, dropped: { count: 2, ids: [published[1]!.id, published[2]!.id] } });
    await engine.close();
  });

  it('refuses writes under onOutsideWrite: alert-only, leaving the outside version byte for byte', async () => {
    const { engine, file } = await setup({ onOutsideWrite: 'alert-only' });
    await engine.bus('shared_context.json').publish({ source: 'test', type: 'a' });
    const outside = JSON.stringify({ events: [] });
    await writeFile(file, outside);
    const detected: Array<EngineEventMap['corruption:detected']> = [];
    engine.on('corruption:detected', (e) => detected.push(e));
    await expect(engine.bus('shared_context.json').publish({ source: 'test', type: 'b' })).rejects.toMatchObject({ code: ErrorCodes.OUTSIDE_WRITE, file });
    expect(await readFile(file, 'utf8')).toBe(outside);
    expect(detected.map((e) => e.kind)).toEqual(['modified']);
    await engine.close();
  });

  it('is noticed by a second engine whose cache is stale (another process committed in between)', async () => {
    const { dir, engine, file } = await setup();
    const other = await createEngine({ cwd: dir, config: false, initial: { events: [] }, logger: { level: 'silent' }, plugins: [backup({ strategies: [{ type: 'rotating', keep: 10 }] })] });
    await engine.bus('shared_context.json').publish({ source: 'test', type: 'a' });
    await other.bus('shared_context.json').publish({ source: 'test', type: 'b' });
    await writeFile(file, JSON.stringify({ events: [] }));
    await engine.bus('shared_context.json').publish({ source: 'test', type: 'c' });
    expect(await typesIn(file)).toEqual(['a', 'b', 'c']);
    await Promise.all([engine.close(), other.close()]);
  });

  it('is adopted, loudly, when there is no backup to restore from (a writer killed before journaling its commit looks the same)', async () => {
    const dir = await tempDir();
    const engine = await createEngine({ cwd: dir, config: false, initial: { events: [] }, logger: { level: 'silent' } });
    const file = path.join(dir, 'shared_context.json');
    await engine.bus('shared_context.json').publish({ source: 'test', type: 'a' });
    const accepted: Array<EngineEventMap['outside-write:accepted']> = [];
    engine.on('outside-write:accepted', (e) => accepted.push(e));
    await writeFile(file, JSON.stringify({ events: [] }));
    await engine.bus('shared_context.json').publish({ source: 'test', type: 'b' });
    expect(await typesIn(file)).toEqual(['b']);
    expect(accepted.map((e) => e.dropped.count)).toEqual([1]);
    await engine.close();
  });

  it('is not an outside write when prevention never committed the file: it is adopted as it is', async () => {
    const { engine, file } = await setup();
    await writeFile(file, JSON.stringify({ events: [{ timestamp: '2025-08-02T23:19:01.723373', event: 'from-before', data: {} }] }));
    await engine.bus('shared_context.json').publish({ source: 'test', type: 'a' });
    expect(await typesIn(file)).toEqual(['from-before', 'a']);
    await engine.close();
  });
});

describe('a deleted file whose commit journal is gone too', () => {
  it('is restored from the backups, never restarted from the initial document', async () => {
    const { engine, file } = await setup();
    const bus = engine.bus('shared_context.json');
    for (const type of ['a', 'b', 'c']) await bus.publish({ type, source: 'test' });
    await rm(journalPathFor(file));
    await unlink(file);
    await bus.publish({ source: 'test', type: 'd' });
    expect(await typesIn(file)).toEqual(['a', 'b', 'c', 'd']);
    await engine.close();
  });

  it('is reported deleted (not read as new) to a reader', async () => {
    const { engine, file } = await setup({ onCorrupt: 'fail' });
    await engine.bus('shared_context.json').publish({ source: 'test', type: 'a' });
    await rm(journalPathFor(file));
    await unlink(file);
    await expect(engine.read('shared_context.json')).rejects.toMatchObject({ code: ErrorCodes.CORRUPT_DOCUMENT, details: { reason: 'deleted' } });
    await engine.close();
  });
});
