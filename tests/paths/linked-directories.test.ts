import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, ErrorCodes, type EngineEventMap } from '@prevention/core';
import backup from '@prevention/plugin-backup';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';

/** Every entry under `dir`, recursively, with each file's bytes: to prove nothing was written there. */
async function contents(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = entry.isFile() ? await readFile(full, 'utf8') : '<dir>';
  }
  return out;
}

/** The codes of an error and of each error that caused it. */
function codesOf(err: unknown): string[] {
  const codes: string[] = [];
  for (let at = err as { code?: string; cause?: unknown } | undefined; at; at = at.cause as typeof at) if (at.code) codes.push(at.code);
  return codes;
}

async function setup(dataDir: (root: string) => string = (root) => path.join(root, 'data')) {
  const root = await tempDir();
  const dir = dataDir(root);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'shared.json');
  const engine = await createEngine({
    cwd: root,
    config: false,
    files: [{ path: file }],
    initial: { events: [] },
    logger: { level: 'silent' },
    plugins: [backup({ strategies: [{ type: 'rotating', keep: 5 }] })],
  });
  const redirected: Array<EngineEventMap['path:redirected']> = [];
  engine.on('path:redirected', (e) => redirected.push(e));
  const append = (id: string) => engine.update(file, (draft) => void (draft as { events: unknown[] }).events.push({ id }));
  await append('a');
  // What an attacker lays out: a directory holding a copy of the project's file.
  const elsewhere = path.join(root, 'elsewhere');
  await mkdir(elsewhere);
  await writeFile(path.join(elsewhere, 'shared.json'), await readFile(file, 'utf8'));
  return { root, dir, file, engine, redirected, append, elsewhere };
}

describe('a symbolic link planted at a directory after start-up', () => {
  it('at the managed file\'s directory: writes and reads are refused with a typed error and an event, nothing lands in its target', async () => {
    const { dir, file, engine, redirected, append, elsewhere } = await setup();
    const before = await contents(elsewhere);
    await rename(dir, `${dir}.moved`);
    await symlink(elsewhere, dir);
    await expect(append('b')).rejects.toMatchObject({ code: ErrorCodes.UNSAFE_PATH, details: { reason: 'redirected', leadsTo: elsewhere } });
    await expect(engine.read(file)).rejects.toMatchObject({ code: ErrorCodes.UNSAFE_PATH });
    await expect(engine.restore(file)).rejects.toMatchObject({ code: ErrorCodes.UNSAFE_PATH });
    expect(await contents(elsewhere)).toEqual(before);
    expect(redirected[0]).toMatchObject({ path: dir, leadsTo: elsewhere, expected: dir });
    // Put back, the directory works again.
    await rm(dir);
    await rename(`${dir}.moved`, dir);
    await append('c');
    expect((JSON.parse(await readFile(file, 'utf8')) as { events: Array<{ id: string }> }).events.map((e) => e.id)).toEqual(['a', 'c']);
    await engine.close();
  });

  it('at a parent of the directory', async () => {
    const { root, engine, append } = await setup((r) => path.join(r, 'project', 'data'));
    const copy = path.join(root, 'copy');
    await mkdir(path.join(copy, 'data'), { recursive: true });
    await rename(path.join(root, 'project'), path.join(root, 'project.moved'));
    await symlink(copy, path.join(root, 'project'));
    await expect(append('b')).rejects.toMatchObject({ code: ErrorCodes.UNSAFE_PATH });
    expect(await contents(copy)).toEqual({ data: '<dir>' });
    await engine.close();
  });

  it('at prevention\'s own folder beside the file, or a folder inside it', async () => {
    const { dir, file, engine, redirected, append, elsewhere } = await setup();
    const state = path.join(dir, '.prevention');
    const before = await contents(elsewhere);
    await rename(state, `${state}.moved`);
    await symlink(elsewhere, state);
    await expect(append('b')).rejects.toMatchObject({ code: ErrorCodes.UNSAFE_PATH });
    expect(redirected.map((e) => e.path)).toContain(state);
    expect(await contents(elsewhere)).toEqual(before);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ events: [{ id: 'a' }] });
    await rm(state);
    await rename(`${state}.moved`, state);
    const backups = path.join(state, 'backups');
    const [strategy] = await readdir(backups);
    await rename(path.join(backups, strategy!), path.join(backups, `${strategy!}.moved`));
    await symlink(elsewhere, path.join(backups, strategy!));
    // Deeper in, the backup strategy meets it, and its failure refuses the commit.
    const refusal = await append('c').then(() => undefined, (err: unknown) => err);
    expect(codesOf(refusal)).toEqual(expect.arrayContaining([ErrorCodes.BACKUP_FAILED, ErrorCodes.UNSAFE_PATH]));
    expect(redirected.map((e) => e.path)).toContain(path.join(backups, strategy!));
    expect(await contents(elsewhere)).toEqual(before);
    await engine.close();
  });

  it('is no obstacle when it was there at start-up, and a folder removed and made again in place is accepted', async () => {
    const root = await tempDir();
    const disk = path.join(root, 'disk');
    await mkdir(path.join(disk, 'data'), { recursive: true });
    await mkdir(path.join(disk, 'state'));
    await symlink(path.join(disk, 'data'), path.join(root, 'data'));
    await symlink(path.join(disk, 'state'), path.join(disk, 'data', '.prevention'));
    const file = path.join(root, 'data', 'shared.json');
    const engine = await createEngine({ cwd: root, config: false, files: [{ path: file }], initial: { events: [] }, logger: { level: 'silent' }, plugins: [backup({ strategies: [{ type: 'rotating', keep: 5 }] })] });
    const append = (id: string) => engine.update(file, (draft) => void (draft as { events: unknown[] }).events.push({ id }));
    await append('a');
    await append('b');
    expect(Object.keys(await contents(path.join(disk, 'state'))).some((name) => name.startsWith('backups'))).toBe(true);
    await rm(path.join(disk, 'state'), { recursive: true });
    await mkdir(path.join(disk, 'state'));
    await append('c');
    expect((await engine.read<{ events: unknown[] }>(file)).events).toHaveLength(3);
    await engine.close();
  });
});
