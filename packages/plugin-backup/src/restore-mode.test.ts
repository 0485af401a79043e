import { chmod, chown, readFile, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, journalPathFor, NodeFileSystem, readLastCommit, type EngineApi } from '@prevention/core';
import { describe, expect, it } from 'vitest';
import { tempDir } from './__tests__/helpers.js';
import backup, { type StrategyOptions } from './index.js';

const isRoot = process.getuid?.() === 0;
const modeOf = async (file: string) => ((await stat(file)).mode & 0o7777).toString(8);

const SETUPS: Record<string, StrategyOptions[]> = {
  rotating: [{ type: 'rotating', keep: 5 }],
  timestamped: [{ type: 'timestamped', keepLast: 5 }],
  'content-addressed': [{ type: 'content-addressed', keepLast: 5 }],
};

const DAMAGE: Record<string, (file: string) => Promise<void>> = {
  deleted: (file) => unlink(file),
  truncated: (file) => truncate(file, 3),
};

/** A 0600 file (owned by `owner` when given) with two commits through an engine. */
async function privateFile(strategies: StrategyOptions[], owner?: { uid: number; gid: number }): Promise<{ engine: EngineApi; file: string; committed: Buffer }> {
  const dir = await tempDir();
  const file = path.join(dir, 'secret.json');
  await writeFile(file, '{"token": "a"}\n');
  await chmod(file, 0o600);
  if (owner) await chown(file, owner.uid, owner.gid);
  const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, plugins: [backup({ strategies })] });
  await engine.write('secret.json', { token: 'b' });
  await engine.write('secret.json', { token: 'c' });
  return { engine, file, committed: await readFile(file) };
}

describe.each(Object.keys(SETUPS))('a 0600 file restored with the %s strategy', (type) => {
  it.each(Object.keys(DAMAGE))('comes back 0600 after it was %s, and its journal records 0600', async (damage) => {
    const { engine, file, committed } = await privateFile(SETUPS[type]!);
    await DAMAGE[damage]!(file);

    await engine.restore('secret.json');

    expect(await readFile(file)).toEqual(committed);
    expect(await modeOf(file)).toBe('600');
    expect((await readLastCommit(new NodeFileSystem(), file))?.mode.toString(8)).toBe('600');
    expect(await modeOf(journalPathFor(file))).toBe('600');
    await engine.close();
  });

  it('comes back 0600 when a write repairs it after truncation', async () => {
    const { engine, file } = await privateFile(SETUPS[type]!);
    await truncate(file, 3);

    await engine.update<{ token: string; more?: boolean }>('secret.json', (d) => void (d.more = true));

    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ token: 'c', more: true });
    expect(await modeOf(file)).toBe('600');
    await engine.close();
  });

  it.skipIf(!isRoot)('comes back with the owner its backups recorded (as root)', async () => {
    const { engine, file } = await privateFile(SETUPS[type]!, { uid: 4321, gid: 4322 });
    await unlink(file);

    await engine.restore('secret.json');

    const stats = await stat(file);
    expect({ uid: stats.uid, gid: stats.gid, mode: (stats.mode & 0o7777).toString(8) }).toEqual({ uid: 4321, gid: 4322, mode: '600' });
    await engine.close();
  });
});
