import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentStore } from '../contract.js';
import { createEngine } from '../engine/create-engine.js';
import { MemoryStore } from '../testing/memory-store.js';
import { TempDirs } from '../testing/temp-dirs.js';

const dirs = new TempDirs();
afterEach(() => dirs.removeAll());

describe('verify', () => {
  it('lends the store one buffer to read every commit back into, not a new one the size of the document each time', async () => {
    const dir = await dirs.make();
    const memory = new MemoryStore();
    const lent: Array<Uint8Array | undefined> = [];
    const store: DocumentStore = Object.assign(Object.create(memory) as MemoryStore, {
      readBack: (name: string, options?: { from?: number; into?: Uint8Array }) => {
        lent.push(options?.into);
        return memory.readBack(name, options);
      },
    });
    const engine = await createEngine({ cwd: dir, config: false, store });
    for (let i = 0; i < 3; i++) await engine.write('a.json', { padding: 'x'.repeat(1000), i });
    expect(lent).toHaveLength(3);
    expect(lent[0]).toBeInstanceOf(Uint8Array);
    expect(lent[1]).toBe(lent[0]);
    expect(lent[2]).toBe(lent[0]);
    await engine.close();
  });
});
