import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { createEngine } from '@prevention/core';
import { describeWithPostgres } from './__tests__/support/server-suite.js';
import { mirrorToFiles, postgresStore } from './index.js';

async function waitFor(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describeWithPostgres('the local mirror of PostgreSQL documents as plain JSON files', (server) => {
  beforeAll(async () => {
    await server().createDatabase('mirror');
  });

  it('keeps a local file current with every commit of another machine, woken by NOTIFY, and a reader only ever parses whole versions', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prevention-mirror-'));
    const file = path.join(dir, 'shared_context.json');
    // The writer and the mirror as two machines: separate stores, pools and working directories.
    const writerStore = postgresStore({ connectionString: server().url('mirror') }, { schema: 'mirror', root: '/machine-a/team' });
    const mirrorStore = postgresStore({ connectionString: server().socketUrl('mirror') }, { schema: 'mirror', root: '/machine-b/team' });
    const engine = await createEngine({ cwd: '/machine-a/team', config: false, store: writerStore });
    // Polling is slowed far past the waits below: the files must follow through the notifications.
    const mirror = await mirrorToFiles(mirrorStore, { documents: [{ name: '/machine-b/team/ctx.json', file }], pollMs: 60_000 });
    let reading = true;
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        let text: string | undefined;
        try {
          text = readFileSync(file, 'utf8');
        } catch {
          // Not mirrored yet.
        }
        if (text !== undefined) {
          JSON.parse(text);
          reads += 1;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    try {
      const latencies: number[] = [];
      for (let i = 1; i <= 20; i++) {
        await engine.bus('ctx.json').publish({ type: 'tick', source: 'machine-a', payload: { i } });
        const committed = Buffer.from(await writerStore.readBack('/machine-a/team/ctx.json')).toString();
        const at = Date.now();
        await waitFor(() => {
          try {
            return readFileSync(file, 'utf8') === committed;
          } catch {
            return false;
          }
        }, `commit ${i} in the mirrored file`, 5_000);
        latencies.push(Date.now() - at);
      }
      const events = (JSON.parse(readFileSync(file, 'utf8')) as { events: Array<{ seq: number }> }).events;
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(reads).toBeGreaterThan(0);
      latencies.sort((a, b) => a - b);
      console.log(`local mirror: 20 commits mirrored, from readBack to file median ${latencies[10]} ms, max ${latencies[19]} ms; ${reads} reads of the file, all whole JSON`);
    } finally {
      reading = false;
      await reader;
      await mirror.close();
      await engine.close();
      await Promise.all([writerStore.close(), mirrorStore.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
