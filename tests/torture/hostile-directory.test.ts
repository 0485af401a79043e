import { execFileSync } from 'node:child_process';
import { link, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, isPreventionError, journalPathFor, type EngineApi } from '@prevention/core';
import backup from '@prevention/plugin-backup';
import { describe, expect, it } from 'vitest';
import { lockPathOf } from '../support/locks.js';
import { MEMORY_DIR, tempDir } from '../support/temp-dir.js';
import { printFigures } from '../support/torture.js';

const VICTIM_BYTES = '{"secret":"the victim must never change"}\n';
const outcomes: Record<string, string> = {};

/** A data file committed twice (so it has backups) and a victim file elsewhere that nothing may touch. */
async function setup(): Promise<{ dir: string; file: string; victim: string; engine: EngineApi }> {
  const dir = await tempDir('prevention-hostile-', MEMORY_DIR);
  const file = path.join(dir, 'data.json');
  const victim = path.join(dir, 'elsewhere', 'victim.json');
  await mkdir(path.dirname(victim));
  await writeFile(victim, VICTIM_BYTES);
  const engine = await createEngine({
    cwd: dir,
    config: false,
    lock: { staleMs: 2000, timeoutMs: 3000 },
    logger: { level: 'silent' },
    plugins: [backup({ strategies: [{ type: 'rotating', keep: 3 }] })],
  });
  await engine.write(file, { v: 1 });
  await engine.write(file, { v: 2 });
  await engine.close();
  return { dir, file, victim, engine: await reopen(dir) };
}

function reopen(dir: string): Promise<EngineApi> {
  return createEngine({ cwd: dir, config: false, lock: { staleMs: 2000, timeoutMs: 3000 }, logger: { level: 'silent' }, plugins: [backup({ strategies: [{ type: 'rotating', keep: 3 }] })] });
}

/** Runs `attempt`, which must either succeed or fail with a typed error; records which. */
async function typedOrOk(name: string, attempt: () => Promise<unknown>): Promise<'ok' | string> {
  try {
    await attempt();
    outcomes[name] = 'committed';
  } catch (err) {
    expect(isPreventionError(err), `${name}: ${String(err)}`).toBe(true);
    outcomes[name] = (err as { code: string }).code;
  }
  return outcomes[name]!;
}

const mkfifo = (at: string) => execFileSync('mkfifo', [at]);

describe('hostile directory: links and FIFOs planted where prevention writes', () => {
  it('at temp names: swept on the next commit without touching what they point to', async () => {
    const { dir, file, victim, engine } = await setup();
    const temp = (hex: string) => path.join(dir, `.data.json.999999.${hex}.tmp`);
    await symlink(victim, temp('aaaaaaaaaaaa'));
    await link(victim, temp('bbbbbbbbbbbb'));
    mkfifo(temp('cccccccccccc'));
    expect(await typedOrOk('temp names', () => engine.write(file, { v: 3 }))).toBe('committed');
    await engine.close();
    expect(await readFile(victim, 'utf8')).toBe(VICTIM_BYTES);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it.each(['symlink to a directory', 'symlink to the victim', 'FIFO'])('at the lock name (%s): a typed error, nothing followed', async (kind) => {
    const { file, victim, engine } = await setup();
    if (kind === 'FIFO') mkfifo(lockPathOf(file));
    else await symlink(kind === 'symlink to the victim' ? victim : path.dirname(victim), lockPathOf(file));
    const before = await readFile(file);
    const outcome = await typedOrOk(`lock name, ${kind}`, () => engine.write(file, { v: 3 }));
    await engine.close();
    expect(await readFile(victim, 'utf8')).toBe(VICTIM_BYTES);
    expect(await readdir(path.dirname(victim))).toEqual(['victim.json']);
    if (outcome !== 'committed') expect(await readFile(file)).toEqual(before);
  });

  it.each(['symlink to the victim', 'FIFO'])('at the newest backup name (%s): restore never brings in what it points to', async (kind) => {
    const { file, victim, engine } = await setup();
    const [newest] = await engine.backups(file);
    const backupDir = path.join(path.dirname(file), '.prevention', 'backups', 'data.json', 'rotating');
    const name = (await readdir(backupDir)).find((n) => n.includes(newest!.id))!;
    await rm(path.join(backupDir, name));
    if (kind === 'FIFO') mkfifo(path.join(backupDir, name));
    else await symlink(victim, path.join(backupDir, name));
    await typedOrOk(`backup name, ${kind}, restore`, () => engine.restore(file));
    await typedOrOk(`backup name, ${kind}, write`, () => engine.write(file, { v: 3 }));
    await engine.close();
    expect(await readFile(victim, 'utf8')).toBe(VICTIM_BYTES);
    expect(await readFile(file, 'utf8')).not.toContain('secret');
  });

  it('at the commit journal name: the victim is not appended to', async () => {
    const { file, victim, engine } = await setup();
    await rm(journalPathFor(file));
    await symlink(victim, journalPathFor(file));
    await typedOrOk('journal name', () => engine.write(file, { v: 3 }));
    await engine.close();
    expect(await readFile(victim, 'utf8')).toBe(VICTIM_BYTES);
  });

  it.each(['symlink to the victim', 'FIFO', 'hard link to the victim'])('the target swapped for a %s: the victim unchanged', async (kind) => {
    const { file, victim, engine } = await setup();
    await rm(file);
    if (kind === 'FIFO') mkfifo(file);
    else if (kind === 'hard link to the victim') await link(victim, file);
    else await symlink(victim, file);
    const outcome = await typedOrOk(`target, ${kind}`, () => engine.update<{ v?: number }>(file, (draft) => void (draft.v = 3)));
    await engine.close();
    expect(await readFile(victim, 'utf8')).toBe(VICTIM_BYTES);
    // A link or FIFO is refused; a hard link's name is replaced by the rename, its other name untouched.
    if (kind === 'hard link to the victim') expect(outcome).not.toBe('PREVENTION_MIDDLEWARE_FAILED');
    else expect(outcome).toBe('PREVENTION_UNSAFE_PATH');
  });

  it('prints the outcomes', () => {
    printFigures('hostile directory', { cases: Object.keys(outcomes).length, ...Object.fromEntries(Object.entries(outcomes).map(([k, v]) => [k.replace(/[ ,]+/g, '-'), v])) });
  });
});
