import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine } from '@prevention/core';
import { describe, expect, it } from 'vitest';
import { tempDir } from './__tests__/helpers.js';
import backup from './index.js';

async function modesUnder(dir: string): Promise<Map<string, number>> {
  const modes = new Map<string, number>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    modes.set(path.relative(dir, full), (await stat(full)).mode & 0o777);
  }
  return modes;
}

describe('backup file modes', () => {
  it('backs up a 0600 file as 0600, in every strategy, and keeps the backup directories private', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'secret.json');
    await writeFile(file, '{"token": "a"}\n');
    await chmod(file, 0o600);
    const engine = await createEngine({
      cwd: dir,
      config: false,
      logger: { level: 'silent' },
      plugins: [backup({ strategies: [{ type: 'rotating', keep: 2 }, { type: 'timestamped', keepLast: 2 }, { type: 'content-addressed', keepLast: 2 }] })],
    });
    await engine.write('secret.json', { token: 'b' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const modes = await modesUnder(path.join(dir, '.prevention', 'backups'));
    const files = [...modes].filter(([name]) => !['rotating', 'timestamped', 'content-addressed', 'objects'].includes(path.basename(name)) && name !== 'secret.json');
    // Two versions (the adopted file and the write) in rotating and timestamped; two objects and the index.
    expect(files).toHaveLength(7);
    for (const [name, mode] of files) expect([name, mode.toString(8)]).toEqual([name, '600']);
    for (const [name, mode] of modes) if (!files.some(([f]) => f === name)) expect([name, mode.toString(8)]).toEqual([name, '700']);
    await engine.close();
  });

  it('never makes a backup wider than its file', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'shared.json');
    await writeFile(file, '{}\n');
    await chmod(file, 0o640);
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, plugins: [backup({ strategies: [{ type: 'timestamped', keepLast: 5 }] })] });
    await engine.write('shared.json', { a: 1 });
    const backupDir = path.join(dir, '.prevention', 'backups', 'shared.json', 'timestamped');
    for (const name of await readdir(backupDir)) expect(((await stat(path.join(backupDir, name))).mode & 0o777).toString(8)).toBe('640');
    await engine.close();
  });

  it('repairs a corrupt 0600 file as 0600: the restored version keeps the mode of the one it replaces', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'secret.json');
    await writeFile(file, '{"token": "a"}\n', { mode: 0o600 });
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, plugins: [backup({ strategies: [{ type: 'rotating', keep: 2 }] })] });
    await engine.write('secret.json', { token: 'b' });
    await writeFile(file, '{"token": "b", garbage');
    await engine.update<{ token: string }>('secret.json', (d) => void (d.token = 'c'));
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ token: 'c' });
    expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
    await engine.restore('secret.json');
    expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
    await engine.close();
  });

  it('narrows the older backups when the file was narrowed, at its next commit', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'shared.json');
    await writeFile(file, '{}\n');
    await chmod(file, 0o644);
    const open = () =>
      createEngine({
        cwd: dir,
        config: false,
        logger: { level: 'silent' },
        plugins: [backup({ strategies: [{ type: 'rotating', keep: 5 }, { type: 'timestamped', keepLast: 5 }, { type: 'content-addressed', keepLast: 5 }] })],
      });
    const before = await open();
    await before.write('shared.json', { a: 1 });
    await before.write('shared.json', { a: 2 });
    await before.close();
    await chmod(file, 0o600);
    // Another writer, which finds the file as it now is.
    const engine = await open();
    await engine.write('shared.json', { a: 3 });

    const modes = await modesUnder(path.join(dir, '.prevention'));
    const files = [...modes].filter(([name]) => !name.endsWith('quarantine') && !['backups', 'shared.json', 'rotating', 'timestamped', 'content-addressed', 'objects'].includes(path.basename(name)));
    expect(files.length).toBeGreaterThan(10);
    for (const [name, mode] of files) expect([name, mode.toString(8)]).toEqual([name, '600']);
    await engine.close();
  });
});
