import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { archivePathFor } from '../store/file-layout.js';
import type { BusEvent } from '../contract.js';
import { createEngine } from '../engine/create-engine.js';
import { ErrorCodes } from '../errors.js';
import { tempDir } from '../__tests__/helpers.js';
import { InstrumentedFileSystem, type FsCall } from '../testing/instrumented-file-system.js';

/** A file schema that refuses any event whose payload says `refuse`. */
const schema = {
  type: 'object',
  properties: { events: { type: 'array', items: { type: 'object', properties: { payload: { not: { type: 'object', required: ['refuse'] } } } } } },
};

async function setup(fs?: InstrumentedFileSystem) {
  const dir = await tempDir();
  const file = path.join(dir, 'ctx.json');
  const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, files: [{ path: 'ctx.json', schema }], ...(fs ? { fileSystem: fs.fs } : {}) });
  return { dir, file, engine, bus: engine.bus(file, { maxEvents: 3 }) };
}

const batch = (from: number, count: number, refuse = false) =>
  Array.from({ length: count }, (_, i) => ({ type: 't', source: 's', payload: refuse && i === count - 1 ? { refuse: true, n: from + i } : { n: from + i } }));

/** Acknowledged events must read back exactly: each once, in seq order, gapless, nothing else. */
function expectExactly(read: BusEvent[], acked: BusEvent[]): void {
  expect(read.map((e) => e.seq)).toEqual(Array.from({ length: read.length }, (_, i) => i + 1));
  expect(read.map((e) => [e.seq, e.id, e.payload])).toEqual([...acked].sort((a, b) => a.seq - b.seq).map((e) => [e.seq, e.id, e.payload]));
}

async function archivedSeqs(archive: string): Promise<number[]> {
  const text = await readFile(archive, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => (JSON.parse(l) as BusEvent).seq);
}

describe('bus retention only archives committed events', () => {
  it('a batch larger than maxEvents whose commit is refused leaves nothing in the archive, and its seqs go to the next acknowledged events', async () => {
    const { engine, bus } = await setup();
    const acked = await bus.publishMany(batch(1, 3));
    const archiveBefore = await readFile(archivePathFor(bus.file)).catch(() => undefined);
    await expect(bus.publishMany(batch(100, 5, true))).rejects.toMatchObject({ code: ErrorCodes.VALIDATION_FAILED });
    // Readers right after the refusal see only what was acknowledged.
    expectExactly(await bus.events({ since: 0 }), acked);
    acked.push(...(await bus.publishMany(batch(4, 5))));
    acked.push(...(await bus.publishMany(batch(9, 4))));
    expectExactly(await bus.events({ since: 0 }), acked);
    expect(archiveBefore).toBeUndefined();
    expect(await archivedSeqs(archivePathFor(bus.file))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await engine.close();
    // Another process reading the files sees the same.
    const reader = await createEngine({ cwd: path.dirname(bus.file), config: false, logger: { level: 'silent' }, files: [{ path: 'ctx.json', schema }] });
    expectExactly(await reader.bus(bus.file, { maxEvents: 3 }).events({ since: 0 }), acked);
    await reader.close();
  });

  it('a fault at any file operation of an overflowing publish loses no acknowledged event and leaves no phantom one', async () => {
    // The file operations of one overflowing publish, as a fault-free run makes them.
    const traced = new InstrumentedFileSystem();
    const probe = await setup(traced);
    await probe.bus.publishMany(batch(1, 3));
    const start = traced.calls.length;
    await probe.bus.publishMany(batch(4, 5));
    const steps = traced.calls.slice(start).map((c: FsCall) => `${c.op} ${path.basename(c.path ?? '')}`);
    await probe.engine.close();
    expect(steps.some((s) => s.includes('archive'))).toBe(true);

    for (let step = 0; step < steps.length; step++) {
      const fs = new InstrumentedFileSystem();
      const { engine, bus } = await setup(fs);
      const acked = await bus.publishMany(batch(1, 3));
      let seen = 0;
      fs.inject({ when: () => seen++ === step, error: 'ENOSPC' });
      const outcome = await bus.publishMany(batch(4, 5)).then(
        (events) => events,
        (err: unknown) => err as Error,
      );
      if (!(outcome instanceof Error)) acked.push(...outcome);
      const after = await bus.publishMany(batch(20, 4)).catch((err: Error) => { throw new Error(`step ${step} (${steps[step]}): ${err.message}`); });
      acked.push(...after);
      expectExactly(await bus.events({ since: 0 }), acked);
      expect(await bus.inspectArchive(), steps[step]).toMatchObject({ state: 'intact' });
      await engine.close();
    }
  });
});
