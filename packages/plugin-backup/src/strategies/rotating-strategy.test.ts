import { readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { createEngine } from '@prevention/core';
import { InstrumentedFileSystem } from '@prevention/core/testing';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../__tests__/helpers.js';
import backup from '../index.js';
import { BACKUP_SERVICE } from '../backup-token.js';

const KEEP = 5;

async function project(fileSystem?: InstrumentedFileSystem['fs']) {
  const dir = await tempDir();
  const engine = await createEngine({
    cwd: dir,
    config: false,
    logger: { level: 'silent' },
    ...(fileSystem ? { fileSystem } : {}),
    plugins: [backup({ strategies: [{ type: 'rotating', keep: KEEP }] })],
  });
  const copies = path.join(dir, '.prevention', 'backups', 'data.json', 'rotating');
  return { dir, engine, copies, service: engine.service(BACKUP_SERVICE)! };
}

describe('rotating backups', () => {
  it('saves a copy without renaming the copies it keeps', async () => {
    const instrumented = new InstrumentedFileSystem();
    const { engine, copies } = await project(instrumented.fs);
    for (let n = 0; n < KEEP + 2; n++) await engine.write('data.json', { n });
    const before = await readdir(copies);
    instrumented.reset();
    await engine.write('data.json', { n: 'last' });
    const inCopies = (op: string) => instrumented.calls.filter((c) => c.op === op && path.dirname(c.path ?? '') === copies);
    // Only the new copy's own temp file is renamed (to its name); nothing else there moves.
    expect(inCopies('rename').map((c) => path.basename(String(c.args[1])))).toEqual([expect.stringMatching(/^data\.json\.\d{4}-/)]);
    const after = await readdir(copies);
    expect(after).toHaveLength(KEEP);
    // The oldest went, the rest kept their names.
    expect(before.filter((name) => after.includes(name))).toHaveLength(KEEP - 1);
    await engine.close();
  });

  it('lists, restores from and prunes copies named the older, numbered way', async () => {
    const { dir, engine, copies, service } = await project();
    for (let n = 0; n < 3; n++) await engine.write('data.json', { n });
    const listed = await service.list('data.json');
    // As an older version left them: `<name>.<number>.<id>`, 1 the newest.
    for (const [i, record] of listed.entries()) await rename(path.join(copies, `data.json.${record.id}`), path.join(copies, `data.json.${i + 1}.${record.id}`));
    expect(await service.list('data.json')).toEqual(listed);

    const restored = await engine.restore('data.json', { id: listed[2]!.id });
    expect(restored.backup.id).toBe(listed[2]!.id);
    expect(JSON.parse(await readFile(path.join(dir, 'data.json'), 'utf8'))).toEqual({ n: 0 });

    for (let n = 3; n < 3 + KEEP; n++) await engine.write('data.json', { n });
    const names = await readdir(copies);
    // Every numbered copy was older than the five newest, so retention removed them all.
    expect(names).toHaveLength(KEEP);
    expect(names.every((name) => !/^data\.json\.\d+\.\d{4}-/.test(name))).toBe(true);
    await engine.close();
  });
});
