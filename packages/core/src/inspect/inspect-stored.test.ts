import { describe, expect, it } from 'vitest';
import { ErrorCodes, PreventionError } from '../errors.js';
import { sha256Hex } from '../commit/sha256.js';
import { MemoryStore } from '../testing/memory-store.js';
import { inspectStored } from './inspect-stored.js';

const settings = { maxBytes: 1_000, maxDepth: 10, schema: undefined };

async function committed(store: MemoryStore, name: string, text: string): Promise<void> {
  const lock = await store.lock(name, { timeoutMs: 1_000, staleMs: 10_000 });
  try {
    const head = await store.head(name);
    const commit = await store.commit(name, Buffer.from(text), { expected: head?.token ?? null, previous: undefined, lock });
    await store.record(name, { ...commit, sha256: sha256Hex(Buffer.from(text)) });
  } finally {
    await lock.release();
  }
}

describe('inspectStored', () => {
  it('reports a document the store does not have as missing, with its commit record', async () => {
    const store = new MemoryStore();
    expect(await inspectStored(store, '/p/a.json')).toMatchObject({ state: 'missing', lastCommit: undefined, journalError: undefined });
  });

  it('reads, hashes and checks the stored bytes, beside the last commit record', async () => {
    const store = new MemoryStore();
    await committed(store, '/p/a.json', '{"a":1}\n');
    const inspection = await inspectStored(store, '/p/a.json');
    if (inspection.state !== 'present') throw new Error(`expected a present document, got ${inspection.state}`);
    expect(inspection.sha256).toBe(sha256Hex(Buffer.from('{"a":1}\n')));
    expect(inspection.lastCommit?.sha256).toBe(inspection.sha256);
    expect(inspection.content(settings)).toMatchObject({ document: { a: 1 }, corrupt: undefined, overSize: false });

    await committed(store, '/p/a.json', '{"a":');
    const broken = await inspectStored(store, '/p/a.json');
    expect(broken.state === 'present' && broken.content(settings).corrupt).toMatchObject({ code: ErrorCodes.CORRUPT_DOCUMENT });
  });

  it('reports a store that cannot be read as unreadable, with the store\'s own message, instead of throwing', async () => {
    const store = new MemoryStore();
    const failure = new PreventionError(ErrorCodes.IO_FAILED, 'reading the current version failed for /p/a.json on PostgreSQL (connect ECONNREFUSED 127.0.0.1:1)');
    store.load = () => Promise.reject(failure);
    expect(await inspectStored(store, '/p/a.json')).toMatchObject({ state: 'unreadable', reason: failure.message, error: failure });
  });
});
