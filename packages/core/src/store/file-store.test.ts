import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import { AnchoredFileSystem } from '../fs/anchored-file-system.js';
import { NodeFileSystem } from '../fs/node-file-system.js';
import { ProperFileLocker } from '../lock/proper-file-locker.js';
import { createLogger } from '../logging/logger.js';
import { documentStoreContract } from '../testing/document-store-contract.js';
import { TempDirs } from '../testing/temp-dirs.js';
import { FileStore } from './file-store.js';

const dirs = new TempDirs();
afterEach(() => dirs.removeAll());

describe('FileStore keeps the DocumentStore contract', () => {
  documentStoreContract(
    {
      make: async () => {
        const dir = await dirs.make();
        const open = (): FileStore => {
          const fs = new AnchoredFileSystem(new NodeFileSystem(), () => undefined);
          return new FileStore({ fs, anchors: fs, locker: new ProperFileLocker(fs, systemClock), clock: systemClock, logger: createLogger({ level: 'silent' }) });
        };
        return { store: open(), name: path.join(dir, 'sub', 'doc.json'), another: open };
      },
    },
    it,
  );
});

describe('FileStore.readBack', () => {
  it('reads into the buffer it is lent when that is large enough', async () => {
    const dir = await dirs.make();
    const fs = new AnchoredFileSystem(new NodeFileSystem(), () => undefined);
    const store = new FileStore({ fs, anchors: fs, locker: new ProperFileLocker(fs, systemClock), clock: systemClock, logger: createLogger({ level: 'silent' }) });
    const doc = path.join(dir, 'doc.json');
    const lock = await store.lock(doc, { timeoutMs: 1000, staleMs: 10_000 });
    await store.commit(doc, Buffer.from('{"a":1}\n'), { expected: null, previous: undefined, lock });
    await lock.release();
    const into = Buffer.allocUnsafeSlow(64);
    const found = await store.readBack(doc, { into });
    expect(Buffer.from(found).toString()).toBe('{"a":1}\n');
    expect(found.buffer).toBe(into.buffer);
  });
});

