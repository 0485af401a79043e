import path from 'node:path';
import { afterEach, describe, it } from 'vitest';
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
