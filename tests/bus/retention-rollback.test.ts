import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, type BusEvent } from '@prevention/core';
import backup from '@prevention/plugin-backup';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';

const batch = (tag: string, count: number) => Array.from({ length: count }, (_, i) => ({ type: 't', source: 's', payload: `${tag}.${i}` }));

describe('bus retention after a restore of an older version', () => {
  it('goes on publishing: the archive stays intact, nothing archived is destroyed, every event published since reads back', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'ctx.json');
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, plugins: [backup({ strategies: [{ type: 'rotating', keep: 50 }] })] });
    const bus = engine.bus(file, { maxEvents: 3 });
    const before: BusEvent[] = [];
    for (let n = 0; n < 6; n++) before.push(...(await bus.publishMany(batch(`a${n}`, 2))));
    // Back to an older version: events archived since are past its newest seq.
    const older = (await engine.backups(file))[3]!;
    await engine.restore(file, { id: older.id });
    const after: BusEvent[] = [];
    for (let n = 0; n < 6; n++) after.push(...(await bus.publishMany(batch(`b${n}`, 2))));
    expect(await bus.inspectArchive()).toMatchObject({ state: 'intact' });
    const read = await bus.events({ since: 0 });
    expect(new Set(read.map((e) => e.seq)).size).toBe(read.length);
    const byId = new Map(read.map((e) => [e.id, e]));
    for (const event of after) expect(byId.get(event.id)).toEqual(event);
    // An event from before the restore reads back as it was, or not at all (the restore undid
    // it); one that left the archive was kept aside in the quarantine folder.
    const quarantined = (await Promise.all((await readdir(path.join(dir, '.prevention', 'quarantine'))).map((name) => readFile(path.join(dir, '.prevention', 'quarantine', name), 'utf8')))).join('');
    for (const event of before) {
      const back = byId.get(event.id);
      if (back) expect(back).toEqual(event);
    }
    // Before the restore the live file held the newest three; every older event had been archived.
    const archived = before.slice(0, -3);
    expect(archived.filter((e) => !byId.has(e.id) && !quarantined.includes(e.id))).toEqual([]);
    await engine.close();
  });
});
