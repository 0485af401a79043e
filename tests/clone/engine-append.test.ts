import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, ErrorCodes } from '@prevention/core';
import { InstrumentedFileSystem, type FsCall } from '@prevention/core/testing';
import { describe, expect, it } from 'vitest';
// First, so that its clean-up runs after the unmounts (vitest runs after-hooks in reverse).
import { tempDir } from '../support/temp-dir.js';
import { canMountImage, mountImage } from '../support/cloning-fs.js';
import { leftoversUnder } from '../support/leftovers.js';

type Stored = { id: string; seq: number; type: string; payload: unknown };

/** A shared context of ~2.5 MB, as another writer left it. */
async function seedSharedContext(file: string): Promise<void> {
  const events = Array.from({ length: 5_000 }, (_, i) => ({
    id: `0190a0b0-0000-7000-8000-${String(i).padStart(12, '0')}`,
    seq: i + 1,
    type: 'agent.progress',
    source: 'seed',
    timestamp: new Date(1_700_000_000_000 + i).toISOString(),
    payload: { step: i, note: 'x'.repeat(300) },
  }));
  await writeFile(file, `${JSON.stringify({ version: 1, events }, null, 2)}\n`);
}

/** An engine on a traced port, publishing to a seeded 2.5 MB shared context on a fresh XFS mount. */
async function publisherOnXfs() {
  await tempDir();
  const dir = await mountImage('xfs');
  const file = path.join(dir, 'shared_context.json');
  await seedSharedContext(file);
  const instrumented = new InstrumentedFileSystem();
  const engine = await createEngine({ cwd: dir, config: false, fileSystem: instrumented.fs });
  const bus = engine.bus(file);
  const publish = (n: number) => bus.publish({ type: 'task.created', source: 'planner', payload: { n } });
  return { dir, file, instrumented, engine, publish };
}

const onData = (file: string) => (c: FsCall) => c.path !== undefined && (c.path === file || c.path.startsWith(`${file}.`)) && !c.path.includes('.prevention');
const bytesOf = (calls: FsCall[], op: 'write' | 'read') => calls.filter((c) => c.op === op).reduce((sum, c) => sum + (c.args[3] as number), 0);

describe.skipIf(!canMountImage('xfs'))('engine publishes on XFS with reflink (loop-mounts an image: needs root)', () => {
  it('writes and re-reads only each publish\'s new bytes of a 2.5 MB shared context, and the file holds every event once, in order', async () => {
    const { dir, file, instrumented, engine, publish } = await publisherOnXfs();
    // The first publish reads the file another writer left, so it writes it whole.
    await publish(0);
    for (let n = 1; n <= 5; n++) {
      instrumented.reset();
      await publish(n);
      const data = instrumented.calls.filter(onData(file));
      expect(data.filter((c) => c.op === 'cloneFile')).toHaveLength(1);
      expect(bytesOf(data, 'write')).toBeLessThan(64 * 1024);
      expect(bytesOf(data, 'read')).toBeLessThan(64 * 1024);
      expect(data.filter((c) => c.op === 'readFile')).toEqual([]);
    }
    const bytes = await readFile(file);
    const events = (JSON.parse(bytes.toString()) as { events: Stored[] }).events;
    expect(events).toHaveLength(5_006);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 5_006 }, (_, i) => i + 1));
    expect(events.slice(-6).map((e) => (e.payload as { n: number }).n)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(bytes.equals(Buffer.from(`${JSON.stringify(JSON.parse(bytes.toString()), null, 2)}\n`))).toBe(true);
    await engine.close();
    expect(await leftoversUnder(dir)).toEqual([]);
  });

  it('catches a lying disk in the bytes a publish wrote: verify fails, the previous version is put back, the next publish lands', async () => {
    const { file, instrumented, engine, publish } = await publisherOnXfs();
    await publish(0);
    await publish(1);
    const before = await readFile(file);
    instrumented.inject({
      when: (c) => c.op === 'read' && c.path === file,
      result: (read, call) => {
        const buffer = call.args[1] as Buffer;
        const at = call.args[2] as number;
        buffer[at] = buffer[at]! ^ 0x20;
        return read;
      },
    });
    await expect(publish(2)).rejects.toMatchObject({
      code: ErrorCodes.VERIFY_FAILED,
      details: { previousVersionRestored: true },
    });
    expect((await readFile(file)).equals(before)).toBe(true);
    await publish(3);
    const events = (JSON.parse(await readFile(file, 'utf8')) as { events: Stored[] }).events;
    expect(events.slice(-3).map((e) => (e.payload as { n: number }).n)).toEqual([0, 1, 3]);
    await engine.close();
  });
});
