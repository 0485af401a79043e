import { chmod, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createEngine, quarantineDirFor, systemClock, type Clock } from '@prevention/core';
import { afterEach, describe, expect, it } from 'vitest';
import { GZIP_BACKUP, gzipBackup } from './gzip-backup-plugin.js';


let dir: string;
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('the gzip backup strategy, registered as a plugin', () => {
  it('keeps the newest versions compressed and restores the last committed one after corruption', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gzip-backup-'));
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, plugins: [gzipBackup({ keep: 3 })] });
    const events = Array.from({ length: 200 }, (_, i) => ({ type: 'tick', payload: { i, note: 'the same words compress well '.repeat(4) } }));
    for (let n = 1; n <= 6; n++) await engine.write('shared.json', { events: events.slice(0, n * 30) });
    const file = path.join(dir, 'shared.json');
    const committed = await readFile(file);

    // Pruned after each commit: nothing left for an explicit prune to remove.
    const strategy = engine.service(GZIP_BACKUP)!;
    expect((await strategy.prune(file, { dryRun: false })).removed).toHaveLength(0);
    const backups = await engine.backups('shared.json');
    expect(backups.map((b) => b.strategy)).toEqual(['gzip', 'gzip', 'gzip']);
    const backupDir = path.join(dir, '.prevention', 'backups', 'shared.json', 'gzip');
    const newest = path.join(backupDir, `${backups[0]!.id}.json.gz`);
    const stored = await readFile(newest);
    expect(gunzipSync(stored)).toEqual(committed);
    expect(stored.length).toBeLessThan(committed.length / 5);
    expect(await readdir(backupDir)).toHaveLength(3);

    await writeFile(file, committed.subarray(0, 100));
    const result = await engine.restore('shared.json');
    expect(await readFile(file)).toEqual(committed);
    expect(path.dirname(result.quarantined!)).toBe(quarantineDirFor(file));
    await engine.close();
  });

  it('restores the last committed version when the clock stepped back an hour before it', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gzip-backup-'));
    let now = Date.UTC(2026, 5, 1, 12);
    const clock: Clock = { now: () => now, sleep: systemClock.sleep, setTimeout: systemClock.setTimeout };
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, clock, plugins: [gzipBackup({ keep: 10 })] });
    for (const n of [1, 2, 3]) {
      now += 60_000;
      await engine.write('shared.json', { commit: n });
    }
    now -= 60 * 60_000;
    await engine.write('shared.json', { commit: 4 });
    const file = path.join(dir, 'shared.json');
    await writeFile(file, '{"comm');

    const result = await engine.restore('shared.json');

    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ commit: 4 });
    expect(result.backup.generation).toBe(4);
    await engine.close();
  });

  it('gives a deleted 0600 file back its mode', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gzip-backup-'));
    const file = path.join(dir, 'secret.json');
    await writeFile(file, '{}\n');
    await chmod(file, 0o600);
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, plugins: [gzipBackup({ keep: 3 })] });
    await engine.write('secret.json', { token: 'a' });
    await unlink(file);

    await engine.restore('secret.json');

    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ token: 'a' });
    expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
    await engine.close();
  });
});
