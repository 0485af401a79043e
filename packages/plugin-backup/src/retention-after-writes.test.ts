import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, type BackupRecord, type EngineApi } from '@prevention/core';
import { describe, expect, it } from 'vitest';
import { filesUnder, SettableClock, tempDir } from './__tests__/helpers.js';
import backup from './index.js';
import { BACKUP_SERVICE } from './backup-token.js';

const HOUR = 60 * 60 * 1000;
/** Monday 2026-01-05 00:00 UTC; write i happens at T0 + 5h·i, so write 99 is on Sunday 2026-01-25 15:00. */
const T0 = Date.UTC(2026, 0, 5);
const STEP = 5 * HOUR;

/** Write i's document: every version has the same size, and only three distinct contents exist. */
const versionOf = (i: number) => ({ flavour: i % 3 });

function writesOf(records: readonly BackupRecord[]): number[] {
  return records.map((r) => (r.createdAt.getTime() - T0) / STEP);
}

async function hundredWrites(engine: EngineApi, clock: SettableClock): Promise<void> {
  for (let i = 0; i < 100; i++) {
    clock.time = T0 + i * STEP;
    await engine.write('data.json', versionOf(i));
  }
}

describe('retention after 100 writes', () => {
  it('leaves exactly what each policy keeps, and a dry run deletes nothing', async () => {
    const dir = await tempDir();
    const clock = new SettableClock(T0);
    const engine = await createEngine({
      cwd: dir,
      config: false,
      logger: { level: 'silent' },
      clock,
      files: [{ path: 'data.json' }],
      plugins: [
        backup({
          strategies: [
            { type: 'rotating', keep: 5 },
            { type: 'timestamped', keepLast: 3, keepDaily: 4, keepWeekly: 2 },
            { type: 'timestamped', keepLast: 10, maxTotalBytes: 4 * Buffer.byteLength(`${JSON.stringify(versionOf(0), null, 2)}\n`), dir: 'small' },
            { type: 'content-addressed', keepWithin: '1d', keepWeekly: 3 },
          ],
        }),
      ],
    });
    await hundredWrites(engine, clock);
    const service = engine.service(BACKUP_SERVICE)!;
    const byStrategy = async (name: string) => writesOf((await service.list('data.json')).filter((r) => r.strategy === name));

    // rotating keep 5: the newest five.
    expect(await byStrategy('rotating')).toEqual([99, 98, 97, 96, 95]);
    // keepLast 3 → 99, 98, 97; keepDaily 4 → newest of Jan 25, 24, 23, 22 = 99, 95, 91, 86;
    // keepWeekly 2 → newest of the weeks of Jan 19 and Jan 12 = 99, 67.
    expect(await byStrategy('timestamped')).toEqual([99, 98, 97, 95, 91, 86, 67]);
    // keepLast 10, but only four equal-sized copies fit in maxTotalBytes.
    expect(await byStrategy(`timestamped:${path.join(dir, 'small')}`)).toEqual([99, 98, 97, 96]);
    // keepWithin 1d of write 99 (495 h) → writes from 471 h on = 95..99; keepWeekly 3 adds 67 and 33.
    expect(await byStrategy('content-addressed')).toEqual([99, 98, 97, 96, 95, 67, 33]);

    // What is on disk matches what is listed.
    const backups = path.join(dir, '.prevention', 'backups', 'data.json');
    const rotated = await readdir(path.join(backups, 'rotating'));
    const rotatedIds = (await service.list('data.json')).filter((r) => r.strategy === 'rotating').map((r) => r.id);
    expect(rotated.sort()).toEqual(rotatedIds.map((id) => `data.json.${id}`).sort());
    expect(await readdir(path.join(backups, 'timestamped'))).toHaveLength(7);
    // Seven snapshots, but only the three distinct contents are stored.
    expect(await readdir(path.join(backups, 'content-addressed', 'objects'))).toHaveLength(3);

    const before = await filesUnder(dir);
    const reports = await service.prune({ dryRun: true });
    expect(reports).toHaveLength(4);
    for (const report of reports) {
      expect(report.dryRun).toBe(true);
      expect(report.removed).toEqual([]);
    }
    expect(await filesUnder(dir)).toEqual(before);
    await engine.close();
  });

  it('prunes once each commit succeeded, and prune({ dryRun }) lists what a stricter policy would remove without deleting it', async () => {
    const dir = await tempDir();
    const clock = new SettableClock(T0);
    const engineWith = (policy: Record<string, number>) =>
      createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, clock, files: [{ path: 'data.json' }], plugins: [backup({ strategies: [{ type: 'timestamped', ...policy }] })] });
    const strict = await engineWith({ keepDaily: 1 });
    await hundredWrites(strict, clock);
    // keepDaily 1: only write 99, the last committed version, is left.
    expect(writesOf(await strict.service(BACKUP_SERVICE)!.list('data.json'))).toEqual([99]);
    await strict.close();

    const loose = await engineWith({ keepLast: 5 });
    for (let i = 100; i < 103; i++) {
      clock.time = T0 + i * STEP;
      await loose.write('data.json', versionOf(i));
    }
    await loose.close();

    const engine = await engineWith({ keepLast: 1 });
    const service = engine.service(BACKUP_SERVICE)!;
    expect(writesOf(await service.list('data.json'))).toEqual([102, 101, 100, 99]);
    const [dry] = await service.prune({ dryRun: true });
    expect(writesOf(dry!.removed)).toEqual([101, 100, 99]);
    expect(writesOf(dry!.kept)).toEqual([102]);
    expect(writesOf(await service.list('data.json'))).toEqual([102, 101, 100, 99]);

    const [real] = await service.prune({ file: 'data.json' });
    expect(real!.dryRun).toBe(false);
    expect(writesOf(real!.removed)).toEqual([101, 100, 99]);
    expect(writesOf(await service.list('data.json'))).toEqual([102]);
    expect(await readdir(path.join(dir, '.prevention', 'backups', 'data.json', 'timestamped'))).toHaveLength(1);
    await engine.close();
  });

  it('prune() with no file covers the files a glob entry matches', async () => {
    const dir = await tempDir();
    const engineWith = (keepLast: number) =>
      createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, files: [{ path: 'agents/*.json' }], plugins: [backup({ strategies: [{ type: 'timestamped', keepLast }] })] });
    const loose = await engineWith(5);
    for (const name of ['a', 'b']) for (let i = 0; i < 3; i++) await loose.write(`agents/${name}.json`, { i });
    await loose.close();

    const engine = await engineWith(1);
    const reports = await engine.service(BACKUP_SERVICE)!.prune();
    expect(reports.map((r) => [path.relative(dir, r.file), r.removed.length])).toEqual([
      [path.join('agents', 'a.json'), 2],
      [path.join('agents', 'b.json'), 2],
    ]);
    expect(await engine.backups('agents/a.json')).toHaveLength(1);
    await engine.close();
  });
});
