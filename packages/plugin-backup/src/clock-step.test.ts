import { readFile, truncate } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, type EngineApi } from '@prevention/core';
import { describe, expect, it } from 'vitest';
import { SettableClock, tempDir } from './__tests__/helpers.js';
import backup, { type StrategyOptions } from './index.js';
import { BACKUP_SERVICE } from './backup-token.js';

const HOUR = 60 * 60 * 1000;
const T0 = Date.UTC(2026, 5, 1, 12);

const SETUPS: Record<string, StrategyOptions[]> = {
  rotating: [{ type: 'rotating', keep: 10 }],
  timestamped: [{ type: 'timestamped', keepLast: 10 }],
  'content-addressed': [{ type: 'content-addressed', keepLast: 10 }],
  'rotating and timestamped': [{ type: 'rotating', keep: 10 }, { type: 'timestamped', keepLast: 10 }],
  'timestamped and content-addressed': [{ type: 'timestamped', keepLast: 10 }, { type: 'content-addressed', keepLast: 10 }],
};

/**
 * Three commits a minute apart, then the wall clock steps back an hour (an NTP correction)
 * and a fourth commit is acknowledged. Returns the bytes of that fourth commit.
 */
async function commitsAcrossAClockStep(strategies: StrategyOptions[]): Promise<{ engine: EngineApi; file: string; fourth: Buffer; clock: SettableClock }> {
  const dir = await tempDir();
  const clock = new SettableClock(T0);
  const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, clock, plugins: [backup({ strategies })] });
  for (const n of [1, 2, 3]) {
    clock.time = T0 + n * 60_000;
    await engine.write('data.json', { commit: n });
  }
  clock.time -= HOUR;
  await engine.write('data.json', { commit: 4 });
  const file = path.join(dir, 'data.json');
  return { engine, file, fourth: await readFile(file), clock };
}

describe.each(Object.keys(SETUPS))('a clock stepped back between commits, with %s', (setup) => {
  it('restore brings back the last acknowledged commit', async () => {
    const { engine, file, fourth } = await commitsAcrossAClockStep(SETUPS[setup]!);
    await truncate(file, 5);

    const result = await engine.restore('data.json');

    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ commit: 4 });
    expect(await readFile(file)).toEqual(fourth);
    expect(result.backup.generation).toBe(4);
    await engine.close();
  });

  it('a write that finds the file truncated repairs it from the last acknowledged commit', async () => {
    const { engine, file } = await commitsAcrossAClockStep(SETUPS[setup]!);
    await truncate(file, 5);

    await engine.update<{ commit: number; after?: boolean }>('data.json', (d) => void (d.after = true));

    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ commit: 4, after: true });
    await engine.close();
  });

  it('lists backups in commit order, whatever their clock said', async () => {
    const { engine } = await commitsAcrossAClockStep(SETUPS[setup]!);
    const listed = await engine.service(BACKUP_SERVICE)!.list('data.json');
    const generations = listed.map((r) => r.generation);
    expect(generations).toEqual([...generations].sort((a, b) => b! - a!));
    expect(generations[0]).toBe(4);
    await engine.close();
  });

  it('counts generations on across a restart, so a new engine still puts the next commit first', async () => {
    const first = await commitsAcrossAClockStep(SETUPS[setup]!);
    await first.engine.close();
    const clock = new SettableClock(first.clock.time - HOUR);
    const engine = await createEngine({ cwd: path.dirname(first.file), config: false, logger: { level: 'silent' }, clock, plugins: [backup({ strategies: SETUPS[setup]! })] });
    await engine.write('data.json', { commit: 5 });
    await truncate(first.file, 3);

    const result = await engine.restore('data.json');

    expect(result.backup.generation).toBe(5);
    expect(JSON.parse(await readFile(first.file, 'utf8'))).toEqual({ commit: 5 });
    await engine.close();
  });
});
