import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine } from '@prevention/core';
import { describe, expect, it } from 'vitest';
import { startWorker } from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';

const STALE_MS = 2000;

describe('a lock holder killed with SIGKILL', () => {
  it('the next writer proceeds after the stale threshold and nothing acknowledged is lost', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'shared_context.json');
    const holder = startWorker('hold-lock-worker.mjs', [file, '5', String(STALE_MS)]);
    await holder.waitForLine((l) => l === 'holding');
    holder.child.kill('SIGKILL');
    expect(await holder.exited).toBe('SIGKILL');
    const killedAt = Date.now();

    const engine = await createEngine({ cwd: dir, config: false, lock: { staleMs: STALE_MS, timeoutMs: 20_000 } });
    const recovered: Array<{ ageMs: number }> = [];
    engine.on('lock:stale-recovered', (e) => recovered.push(e));
    await engine.update<{ events: Array<{ id: string }> }>(file, (draft) => void draft.events.push({ id: 'next:1' }));
    const waited = Date.now() - killedAt;
    console.log(`the next writer got the lock ${waited} ms after the kill (stale threshold ${STALE_MS} ms)`);
    await engine.close();

    expect(recovered).toHaveLength(1);
    expect(recovered[0]!.ageMs).toBeGreaterThan(STALE_MS);
    expect(waited).toBeLessThan(STALE_MS + 5000);
    const ids = (JSON.parse(await readFile(file, 'utf8')) as { events: Array<{ id: string }> }).events.map((e) => e.id);
    expect(ids).toEqual([...holder.lines.filter((l) => l.startsWith('holder:')), 'next:1']);
    expect(ids).not.toContain('holder:never-acknowledged');
  });
});
