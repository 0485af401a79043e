import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine/create-engine.js';
import { ErrorCodes } from '../errors.js';
import { MemoryStore } from '../testing/memory-store.js';
import { tempDir } from '../__tests__/helpers.js';

/** A store that says whether it was closed. */
class ClosableStore extends MemoryStore {
  closed = 0;
  close(): Promise<void> {
    this.closed += 1;
    return Promise.resolve();
  }
}

describe('store in the config', () => {
  it('refuses a store that is not a DocumentStore, naming the members it lacks', async () => {
    const dir = await tempDir('prevention-config-');
    await writeFile(path.join(dir, 'package.json'), '{}');
    await writeFile(path.join(dir, 'prevention.config.mjs'), "export default { store: { kind: 'custom', load() {}, head() {}, close: true } };");
    await expect(createEngine({ cwd: dir })).rejects.toMatchObject({
      code: ErrorCodes.CONFIG_INVALID,
      issues: [
        { path: '/store', message: '"store" must be a DocumentStore: it has no prepare(), readBack(), lock(), commit(), revert(), record(), lastRecord(), quarantine()' },
        { path: '/store', message: '"store" must be a DocumentStore: close() must be a function' },
      ],
    });
  });

  it('never shows a value that is not a store, which may be a connection string with its password', async () => {
    const attempt = createEngine({ config: { store: 'postgresql://alice:s3cret@db.example/team' as never } });
    await expect(attempt).rejects.toMatchObject({ code: ErrorCodes.CONFIG_INVALID, message: expect.stringContaining('"store" must be a DocumentStore, such as postgresStore(...) (got a string)') });
    await expect(attempt).rejects.not.toMatchObject({ message: expect.stringContaining('s3cret') });
  });

  it('keeps documents in the config\'s store, and closes that store with the engine', async () => {
    const dir = await tempDir('prevention-config-');
    const store = new ClosableStore();
    const engine = await createEngine({ cwd: dir, config: { store } });
    expect(engine.config.store).toBe(store);
    await engine.write('a.json', { a: 1 });
    expect(Buffer.from(((await store.load(path.join(dir, 'a.json'))) as { bytes: Uint8Array }).bytes).toString()).toContain('"a": 1');
    expect(existsSync(path.join(dir, 'a.json'))).toBe(false);
    expect(store.closed).toBe(0);
    await engine.close();
    expect(store.closed).toBe(1);
  });

  it('leaves a store passed in code to its caller, and still closes the config\'s that it replaced', async () => {
    const dir = await tempDir('prevention-config-');
    const mine = new ClosableStore();
    const configured = new ClosableStore();
    const engine = await createEngine({ cwd: dir, config: { store: configured }, store: mine });
    await engine.write('a.json', { a: 1 });
    expect(await mine.head(path.join(dir, 'a.json'))).toBeDefined();
    expect(await configured.head(path.join(dir, 'a.json'))).toBeUndefined();
    await engine.close();
    expect(mine.closed).toBe(0);
    expect(configured.closed).toBe(1);
  });
});
