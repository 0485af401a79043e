import { mkdir, readFile, utimes } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine/create-engine.js';
import { tempDir } from '../__tests__/helpers.js';

describe('a lock left with its mtime in the future', () => {
  it('is taken over as stale once further ahead than the threshold, instead of blocking until then', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'data.json');
    await mkdir(`${file}.lock`);
    const inAnHour = new Date(Date.now() + 60 * 60 * 1000);
    await utimes(`${file}.lock`, inAnHour, inAnHour);
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, lock: { staleMs: 2000, timeoutMs: 5000 } });
    const recovered: number[] = [];
    engine.on('lock:stale-recovered', ({ ageMs }) => recovered.push(ageMs));
    await engine.write(file, { v: 1 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ v: 1 });
    expect(recovered).toHaveLength(1);
    await engine.close();
  });
});
