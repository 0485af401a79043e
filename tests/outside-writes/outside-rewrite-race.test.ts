import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { quarantineDirFor } from '@prevention/core';
import { describe, expect, it } from 'vitest';
import { startWorker } from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';
import { LONG_MODE } from '../support/torture.js';

const PUBLISHES = LONG_MODE ? 3_000 : 300;
const REWRITES = LONG_MODE ? 200 : 20;

describe('a script resetting the shared file while an agent publishes', () => {
  it('never costs an acknowledged event: every writer restores the last commit before applying its own', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'shared_context.json');
    const agent = startWorker('backed-up-publisher.mjs', [file, String(PUBLISHES), '5']);
    await agent.waitForLine((line) => line.startsWith('ack '), 20_000);
    const script = startWorker('outside-rewriter.mjs', [file, String(REWRITES), '100']);
    expect(await script.exited).toBe(0);
    expect(await agent.exited).toBe(0);
    // The script may have had the last word: the next writer puts the last commit back first.
    const last = startWorker('backed-up-publisher.mjs', [file, '1', '0']);
    expect(await last.exited).toBe(0);
    agent.lines.push(...last.lines);
    const acked = agent.lines.filter((l) => l.startsWith('ack ')).map((l) => l.slice(4));
    const refused = agent.lines.filter((l) => l.startsWith('refused '));
    const present = new Set((JSON.parse(await readFile(file, 'utf8')) as { events: Array<{ id: string }> }).events.map((e) => e.id));
    const lost = acked.filter((id) => !present.has(id));
    const restored = (await readdir(quarantineDirFor(file))).length;
    console.log(`${acked.length} acknowledged, ${lost.length} lost, ${refused.length} refused (${[...new Set(refused)].join(', ')}), ${REWRITES} outside rewrites, ${restored} quarantined`);
    expect(lost).toEqual([]);
    // The resets did land between publishes and were rolled back, not silently adopted.
    expect(restored).toBeGreaterThan(0);
    expect(acked.length + refused.length).toBe(PUBLISHES + 1);
  });
});
