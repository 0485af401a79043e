import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonFileMemoryStore } from './agent-framework.mjs';
import { PreventionMemoryStore } from './prevention-memory-store.mjs';
import { rememberConcurrently } from './run.mjs';

describe('prevention embedded in an agent framework, without a config file', () => {
  it('keeps every note two concurrent agents write, where the framework default loses some', async () => {
    const safe = await rememberConcurrently((file) => PreventionMemoryStore.open(file));
    expect(safe).toEqual({ written: 100, kept: 100 });
    const naive = await rememberConcurrently(async (file) => new JsonFileMemoryStore(file));
    expect(naive.kept).toBeLessThan(naive.written);
  });

  it('ignores any prevention config in the directory, and refuses a note that breaks the schema', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'prevention-embedding-'));
    try {
      // A broken config here would fail any engine that searched for one.
      await writeFile(path.join(dir, 'prevention.config.json'), '{ "maxDepth": "not a number" }');
      const store = await PreventionMemoryStore.open(path.join(dir, 'memory.json'));
      await store.change((memory: { notes: unknown[] }) => void memory.notes.push({ agent: 'a', text: 'ok', at: 'now' }));
      await expect(store.change((memory: { notes: unknown[] }) => void memory.notes.push({ agent: 'a' }))).rejects.toMatchObject({ code: 'PREVENTION_VALIDATION_FAILED' });
      await store.close();
      expect(JSON.parse(await readFile(path.join(dir, 'memory.json'), 'utf8')).notes).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
