import { open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, isPreventionError, type EngineApi } from '@prevention/core';
import backup from '@prevention/plugin-backup';
import { describe, expect, it } from 'vitest';
import { leftoversUnder } from '../support/leftovers.js';
import { tempDir } from '../support/temp-dir.js';
import { canMount, mountTmpfs } from '../support/tmpfs.js';
import { printFigures } from '../support/torture.js';

type Doc = { events: Array<{ id: string; pad: string }> };

function openEngine(disk: string): Promise<EngineApi> {
  return createEngine({ cwd: disk, config: false, initial: { events: [] }, lock: { staleMs: 2000, timeoutMs: 5000 }, logger: { level: 'silent' }, plugins: [backup({ strategies: [{ type: 'rotating', keep: 5 }] })] });
}

/**
 * Appends until the disk refuses, then a few more times. Every refused append: a typed error,
 * the file byte-identical, the newest backup still there, no temp left beside the file.
 * Then `free` makes room and the next append must succeed.
 */
async function appendUntilFull(disk: string, pad: string, free: () => Promise<void>) {
  const file = path.join(disk, 'shared_context.json');
  const engine = await openEngine(disk);
  const failures: string[] = [];
  const figures = { acknowledged: 0, refused: 0, olderBackupsPrunedByRefusedWrite: 0, backupTempsLeft: 0 };
  const initial = (await engine.read<Doc>(file)).events.length;
  let n = 0;
  while (figures.refused < 5 && n < 10_000) {
    n += 1;
    const before = await readFile(file).catch(() => undefined);
    const backupsBefore = (await engine.backups(file)).map((b) => b.id);
    try {
      await engine.update<Doc>(file, (draft) => void draft.events.push({ id: `disk:${n}`, pad }));
      figures.acknowledged += 1;
      continue;
    } catch (err) {
      figures.refused += 1;
      if (!isPreventionError(err)) failures.push(`disk:${n}: untyped ${String(err)}`);
    }
    const after = await readFile(file).catch(() => undefined);
    if (!(before === undefined ? after === undefined : after?.equals(before))) failures.push(`disk:${n}: the file changed`);
    const backupsAfter = (await engine.backups(file)).map((b) => b.id);
    if (backupsBefore[0] !== undefined && !backupsAfter.includes(backupsBefore[0])) failures.push(`disk:${n}: the newest backup was deleted`);
    figures.olderBackupsPrunedByRefusedWrite += backupsBefore.filter((id) => !backupsAfter.includes(id)).length;
    const left = await leftoversUnder(disk);
    figures.backupTempsLeft = left.filter((p) => p.includes('backups')).length;
    const besideFile = left.filter((p) => !p.includes('backups'));
    if (besideFile.length > 0) failures.push(`disk:${n}: left ${besideFile.join(', ')}`);
  }
  await free();
  await engine.update<Doc>(file, (draft) => void draft.events.push({ id: 'after-free:1', pad: '' }));
  const ids = (JSON.parse(await readFile(file, 'utf8')) as Doc).events.map((e) => e.id);
  await engine.close();
  expect(failures).toEqual([]);
  // The disk refuses the new backup before anything else: retention never runs, nothing is deleted.
  expect(figures.olderBackupsPrunedByRefusedWrite).toBe(0);
  expect(ids).toHaveLength(initial + figures.acknowledged + 1);
  expect(ids.at(-1)).toBe('after-free:1');
  return figures;
}

describe.skipIf(!canMount)('real full disk: a small tmpfs (mounts one: needs root)', () => {
  it('out of bytes: typed errors, the file byte-identical, no backup deleted to make room, writes succeed once space is freed', async () => {
    const disk = await mountTmpfs(await tempDir(), 'size=512k');
    // Ballast that is deleted later, to free space as an operator would.
    const ballast = path.join(disk, 'ballast');
    await writeFile(ballast, Buffer.alloc(128 * 1024, 1));
    const figures = await appendUntilFull(disk, 'p'.repeat(2000), () => rm(ballast));
    printFigures('full disk, out of bytes', figures);
    expect(figures.acknowledged).toBeGreaterThan(0);
  });

  it('out of inodes: typed errors, the file byte-identical, writes succeed once inodes are freed', async () => {
    const disk = await mountTmpfs(await tempDir(), 'size=8m,nr_inodes=64');
    const engine = await openEngine(disk);
    await engine.update<Doc>(path.join(disk, 'shared_context.json'), (draft) => void draft.events.push({ id: 'disk:0', pad: '' }));
    await engine.close();
    // Take every inode left, keeping the names to give some back later.
    const fillers: string[] = [];
    for (;;) {
      const filler = path.join(disk, `filler-${fillers.length}`);
      try {
        await (await open(filler, 'w')).close();
        fillers.push(filler);
      } catch (err) {
        expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
        break;
      }
    }
    const figures = await appendUntilFull(disk, '', async () => {
      for (const filler of fillers.splice(0, 10)) await rm(filler);
    });
    printFigures('full disk, out of inodes', { inodesTaken: fillers.length + 10, ...figures });
  });
});
