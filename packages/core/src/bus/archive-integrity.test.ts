import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { archivePathFor } from '../store/file-layout.js';
import type { BusEvent } from '../contract.js';
import { createEngine } from '../engine/create-engine.js';
import { ErrorCodes } from '../errors.js';
import { tempDir } from '../__tests__/helpers.js';
import { mirrorPathFor } from './archive-ledger.js';

async function setup() {
  const dir = await tempDir();
  const file = path.join(dir, 'ctx.json');
  const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' } });
  const bus = engine.bus(file, { maxEvents: 5 });
  const acked: BusEvent[] = [];
  for (let n = 0; n < 20; n += 4) acked.push(...(await bus.publishMany(Array.from({ length: 4 }, (_, i) => ({ type: 't', source: 's', payload: n + i })))));
  return { dir, file, engine, bus, acked };
}

const summary = (events: BusEvent[]) => events.map((e) => [e.seq, e.id, e.payload]);

/** Damage done from outside: the archive cut after its `keep` first lines. */
async function truncate(archive: string, keep: number): Promise<void> {
  const lines = (await readFile(archive, 'utf8')).split('\n');
  await writeFile(archive, lines.slice(0, keep).join('\n') + '\n');
}

/** Damage done from outside: one archived event's payload changed, its line otherwise intact. */
async function change(archive: string, index: number): Promise<void> {
  const lines = (await readFile(archive, 'utf8')).split('\n');
  const event = JSON.parse(lines[index]!) as BusEvent;
  lines[index] = JSON.stringify({ ...event, payload: 'forged' });
  await writeFile(archive, lines.join('\n'));
}

describe('the bus archive is protected like the live file', () => {
  it('is intact after retention, and stays so through further publishes', async () => {
    const { engine, bus } = await setup();
    expect(await bus.inspectArchive()).toMatchObject({ state: 'intact', lines: 15 });
    await engine.close();
  });

  for (const [damage, act] of [
    ['truncated', (archive: string) => truncate(archive, 10)],
    ['a line changed', (archive: string) => change(archive, 2)],
    ['deleted', (archive: string) => writeFile(archive, '').then(() => undefined)],
  ] as const) {
    it(`${damage}: is reported damaged and repairable, and the repair brings back every acknowledged event, the bad copy kept aside`, async () => {
      const { dir, engine, bus, acked } = await setup();
      await act(archivePathFor(bus.file));
      expect(await bus.inspectArchive()).toMatchObject({ state: 'damaged', repairable: true, problem: expect.any(String) });
      expect(await bus.repairArchive()).toMatchObject({ state: 'damaged', repaired: true });
      expect(await bus.inspectArchive()).toMatchObject({ state: 'intact', lines: 15 });
      expect(summary(await bus.events({ since: 0 }))).toEqual(summary(acked));
      expect((await readdir(path.join(dir, '.prevention', 'quarantine'))).some((name) => name.startsWith('ctx.archive.jsonl.'))).toBe(true);
      await engine.close();
    });
  }

  it('a publish onto a damaged archive repairs it first, losing no acknowledged event', async () => {
    const { engine, bus, acked } = await setup();
    await truncate(archivePathFor(bus.file), 7);
    acked.push(...(await bus.publishMany([{ type: 't', source: 's', payload: 'next' }])));
    expect(summary(await bus.events({ since: 0 }))).toEqual(summary(acked));
    expect(await bus.inspectArchive()).toMatchObject({ state: 'intact', lines: 16 });
    await engine.close();
  });

  it('with its copy damaged too, it is reported not repairable, and a publish is refused with the live file unchanged', async () => {
    const { file, engine, bus } = await setup();
    await truncate(archivePathFor(bus.file), 7);
    await truncate(mirrorPathFor(archivePathFor(bus.file)), 3);
    expect(await bus.inspectArchive()).toMatchObject({ state: 'damaged', repairable: false });
    const before = await readFile(file);
    await expect(bus.publish({ type: 't', source: 's' })).rejects.toMatchObject({ code: ErrorCodes.CORRUPT_DOCUMENT });
    expect((await readFile(file)).equals(before)).toBe(true);
    await engine.close();
  });
});

describe('an archive written before ledgers were kept', () => {
  it('is taken as it is, its lines of commits that did not happen cut off, and protected from then on', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'ctx.json');
    const stored = (seq: number, payload: unknown) => ({ id: `e${seq}`, seq, type: 't', source: 's', timestamp: '2026-01-01T00:00:00.000Z', payload });
    // Seq 2 twice (a commit that failed after archiving, then the one that succeeded), a torn
    // append fenced off by the next one, and 9, never committed.
    const lines = [stored(1, 1), stored(2, 'phantom'), '{"id":"e2","seq":2,"ty', stored(2, 2), stored(3, 3), stored(9, 'phantom')];
    await writeFile(path.join(dir, 'ctx.archive.jsonl'), lines.map((l) => `${typeof l === 'string' ? l : JSON.stringify(l)}\n`).join(''));
    await writeFile(file, JSON.stringify({ version: 1, events: [stored(4, 4), stored(5, 5)] }, null, 2));
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' } });
    const bus = engine.bus(file, { maxEvents: 2 });
    expect(await bus.inspectArchive()).toMatchObject({ state: 'intact' });
    await bus.publish({ type: 't', source: 's', payload: 6 });
    expect((await bus.events({ since: 0 })).map((e) => e.payload)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await bus.inspectArchive()).toMatchObject({ state: 'intact', lines: 6 });
    await truncate(archivePathFor(bus.file), 2);
    expect(await bus.inspectArchive()).toMatchObject({ state: 'damaged', repairable: true });
    await engine.close();
  });
});
