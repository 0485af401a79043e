import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, definePlugin, ErrorCodes, quarantineDirFor, type EngineApi } from '@prevention/core';
import { describe, expect, it } from 'vitest';
import { tempDir } from './__tests__/helpers.js';
import backup, { type StrategyOptions } from './index.js';
import { BACKUP_SERVICE } from './backup-token.js';

const schema = {
  type: 'object',
  required: ['events'],
  properties: { events: { type: 'array', items: { type: 'object', required: ['type'] } } },
};

const STRATEGIES: Record<string, StrategyOptions[]> = {
  rotating: [{ type: 'rotating', keep: 5 }],
  timestamped: [{ type: 'timestamped', keepLast: 5 }],
  'content-addressed': [{ type: 'content-addressed', keepLast: 5 }],
};

/** An engine on `data.json` (with a schema) after three acknowledged writes; returns the last committed bytes. */
async function engineWithHistory(strategies: StrategyOptions[]): Promise<{ engine: EngineApi; file: string; committed: Buffer }> {
  const dir = await tempDir();
  const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, files: [{ path: 'data.json', schema }], plugins: [backup({ strategies })] });
  for (const type of ['a', 'b', 'c']) await engine.update<{ events: unknown[] }>('data.json', (d) => void (d.events ??= []).push({ type }));
  const file = path.join(dir, 'data.json');
  return { engine, file, committed: await readFile(file) };
}

const CORRUPTIONS: Record<string, (good: Buffer) => Buffer> = {
  truncated: (good) => good.subarray(0, Math.floor(good.length / 2)),
  garbage: () => Buffer.from('\x8f\x02<html>definitely not json', 'latin1'),
  'NUL bytes': (good) => Buffer.alloc(good.length),
  'schema-invalid JSON': () => Buffer.from('{"events": "not an array"}\n'),
};

describe.each(Object.keys(STRATEGIES))('restore with the %s strategy', (type) => {
  it.each(Object.keys(CORRUPTIONS))('brings back the last committed version after %s, and quarantines the bad copy', async (corruption) => {
    const { engine, file, committed } = await engineWithHistory(STRATEGIES[type]!);
    const bad = CORRUPTIONS[corruption]!(committed);
    await writeFile(file, bad);
    const completed: unknown[] = [];
    engine.on('restore:completed', (event) => completed.push(event));

    const result = await engine.restore('data.json');

    expect(await readFile(file)).toEqual(committed);
    expect(result.quarantined).toBeDefined();
    expect(path.dirname(result.quarantined!)).toBe(quarantineDirFor(file));
    expect(await readFile(result.quarantined!)).toEqual(bad);
    expect(completed).toEqual([expect.objectContaining({ file, strategy: type, backupId: result.backup.id })]);
    // The service delegates to the same verified restore.
    expect((await engine.service(BACKUP_SERVICE)!.list('data.json'))[0]!.sha256).toBe(result.sha256);
    await engine.close();
  });

  it('falls back to the next valid backup when the newest one is itself corrupt', async () => {
    const { engine, file, committed } = await engineWithHistory(STRATEGIES[type]!);
    const [newest, previous] = await engine.backups('data.json');
    // Damage the newest backup where it is stored, with JSON that parses and passes the schema:
    // only the sha256 recorded at save time tells it apart.
    const stored = (await readdir(path.dirname(file), { recursive: true, withFileTypes: true })).find(
      (e) => e.isFile() && e.parentPath.includes('.prevention') && (e.name.includes(newest!.id) || e.name === newest!.sha256),
    );
    expect(stored).toBeDefined();
    await writeFile(path.join(stored!.parentPath, stored!.name), '{"events": []}\n');
    await writeFile(file, 'garbage');

    const result = await engine.restore('data.json');

    expect(result.backup.id).toBe(previous!.id);
    const restored = await readFile(file);
    expect(restored).not.toEqual(committed);
    expect(JSON.parse(restored.toString('utf8'))).toEqual({ events: [{ type: 'a' }, { type: 'b' }] });
    await engine.close();
  });
});

describe('restore through the service', () => {
  it('restores a chosen backup by id and refuses when none is valid', async () => {
    const { engine, file } = await engineWithHistory(STRATEGIES.timestamped!);
    const service = engine.service(BACKUP_SERVICE)!;
    const oldest = (await service.list('data.json')).at(-1)!;
    const result = await service.restore('data.json', { id: oldest.id });
    expect(result.backup.id).toBe(oldest.id);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ events: [{ type: 'a' }] });

    const dir = path.join(path.dirname(file), '.prevention', 'backups', 'data.json', 'timestamped');
    for (const name of await readdir(dir)) await writeFile(path.join(dir, name), '\0\0\0');
    await writeFile(file, 'garbage');
    await expect(service.restore('data.json')).rejects.toMatchObject({ code: ErrorCodes.RESTORE_FAILED });
    // Never treated as empty: the bad file is still there, untouched.
    expect(await readFile(file, 'utf8')).toBe('garbage');
    await engine.close();
  });
});

describe('a planned restore (restore --dry-run)', () => {
  it('picks what restore would, by every check a plugin adds, and changes nothing', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'data.json');
    const plain = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, plugins: [backup({ strategies: [{ type: 'rotating', keep: 5 }] })] });
    await plain.write('data.json', { v: 1 });
    await plain.write('data.json', { v: 2, banned: true });
    await plain.close();
    await writeFile(file, '{"v": 2, "ban');
    const damaged = await readFile(file);

    // A plugin's middleware adds a document check (before the commit is prepared) that the newest backup fails.
    const ban = definePlugin({
      name: 'ban',
      register: (api) =>
        api.addMiddleware(
          { name: 'ban', handle: (ctx, next) => (ctx.addCheck((doc) => ((doc as { banned?: boolean }).banned ? [{ path: '/banned', message: 'is banned' }] : [])), next()) },
          { before: 'validate' },
        ),
    });
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, plugins: [backup({ strategies: [{ type: 'rotating', keep: 5 }] }), ban()] });
    const events: string[] = [];
    for (const name of ['restore:completed', 'commit', 'backup:created'] as const) engine.on(name, () => events.push(name));
    const [newest, older] = await engine.backups('data.json');

    const planned = await engine.planRestore('data.json');
    expect(planned.id).toBe(older!.id);
    expect(planned.id).not.toBe(newest!.id);
    expect(await readFile(file)).toEqual(damaged);
    await expect(readdir(quarantineDirFor(file))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(events).toEqual([]);

    // The restore itself agrees with the plan.
    expect((await engine.restore('data.json')).backup.id).toBe(planned.id);
    await engine.close();
  });
});
