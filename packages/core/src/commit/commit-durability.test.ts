import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine/create-engine.js';
import { ErrorCodes } from '../errors.js';
import { NodeFileSystem } from '../fs/node-file-system.js';
import { InstrumentedFileSystem, type FsCall } from '../testing/instrumented-file-system.js';
import { leftovers, tempDir } from '../__tests__/helpers.js';

async function setup() {
  const dir = await tempDir();
  const file = path.join(dir, 'data.json');
  const instrumented = new InstrumentedFileSystem();
  const engine = await createEngine({ cwd: dir, config: false, fileSystem: instrumented.fs, lock: { staleMs: 2000, timeoutMs: 2000 }, logger: { level: 'silent' } });
  return { dir, file, instrumented, engine };
}

describe('atomic commit', () => {
  it('opens the temp exclusively, writes, fsyncs, closes, renames, then fsyncs the directory — in that order', async () => {
    const { dir, file, instrumented, engine } = await setup();
    await engine.write(file, { version: 1 });
    instrumented.reset();
    await engine.write(file, { version: 2 });
    const calls = instrumented.calls;
    const temp = calls.find((c) => c.op === 'open' && c.path?.endsWith('.tmp'));
    expect(temp, 'a temp file was opened').toBeDefined();
    expect(path.dirname(temp!.path!)).toBe(dir);
    expect(temp!.args[1]).toBe(instrumented.fs.flags.createExclusive);
    const onTemp = (op: FsCall['op']) => calls.findIndex((c) => c.op === op && c.path === temp!.path);
    const order = [
      temp!.index,
      onTemp('write'),
      onTemp('fsync'),
      onTemp('close'),
      calls.findIndex((c) => c.op === 'rename' && c.path === temp!.path && c.args[1] === file),
      calls.findIndex((c) => c.op === 'syncDirectory' && c.path === dir),
    ];
    expect(order.every((i) => i >= 0), `every step happened: ${instrumented.summary().join(' | ')}`).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 2 });
    await engine.close();
  });

  it('keeps the replaced version linked through the rename and unlinks it before the write resolves', async () => {
    const { dir, file, instrumented, engine } = await setup();
    await engine.write(file, { version: 1 });
    instrumented.reset();
    await engine.write(file, { version: 2 });
    const calls = instrumented.calls;
    const link = calls.find((c) => c.op === 'link' && c.path === file);
    expect(link, instrumented.summary().join(' | ')).toBeDefined();
    const kept = link!.args[1] as string;
    expect(path.dirname(kept)).toBe(dir);
    const rename = calls.findIndex((c) => c.op === 'rename' && c.args[1] === file);
    const syncDirectory = calls.findIndex((c) => c.op === 'syncDirectory' && c.path === dir);
    const unlink = calls.findIndex((c) => c.op === 'unlink' && c.path === kept);
    expect(link!.index).toBeLessThan(rename);
    expect(syncDirectory).toBeLessThan(unlink);
    expect(await leftovers(dir)).toEqual([]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 2 });
    await engine.close();
  });

  it('commits where the file system makes no hard link, and leaves nothing beside the file', async () => {
    const { dir, file, instrumented, engine } = await setup();
    await engine.write(file, { version: 1 });
    instrumented.inject({ when: (c) => c.op === 'link', error: 'EPERM', times: Infinity });
    await engine.write(file, { version: 2 });
    await engine.write(file, { version: 3 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 3 });
    expect(await leftovers(dir)).toEqual([]);
    await engine.close();
  });

  it('leaves a replaced version it could not unlink to the next commit, which sweeps it', async () => {
    const { dir, file, instrumented, engine } = await setup();
    await engine.write(file, { version: 1 });
    let kept: string | undefined;
    instrumented.inject({ when: (c) => c.op === 'link', before: (c) => void (kept = c.args[1] as string) });
    instrumented.inject({ when: (c) => c.op === 'unlink' && c.path === kept, error: 'EIO' });
    await engine.write(file, { version: 2 });
    expect(await leftovers(dir)).toEqual([path.basename(kept!)]);
    expect(JSON.parse(await readFile(kept!, 'utf8'))).toEqual({ version: 1 });
    await engine.write(file, { version: 3 });
    expect(await leftovers(dir)).toEqual([]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 3 });
    await engine.close();
  });

  it('keeps the replaced file mode', async () => {
    const { file, engine } = await setup();
    await writeFile(file, '{}', { mode: 0o640 });
    await engine.write(file, { a: 1 });
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    await engine.close();
  });

  it('loops on short writes', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'data.json');
    const real = new NodeFileSystem();
    // A port that writes at most 7 bytes per call: the commit must keep going until all are written.
    const shortWrites = new InstrumentedFileSystem(
      Object.assign(Object.create(real) as NodeFileSystem, {
        write: (fd: number, data: Uint8Array, offset: number, length: number, position: number | null) => real.write(fd, data, offset, Math.min(length, 7), position),
      }),
    );
    const engine = await createEngine({ cwd: dir, config: false, fileSystem: shortWrites.fs });
    const doc = { text: 'x'.repeat(100) };
    await engine.write(file, doc);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(doc);
    expect(shortWrites.calls.filter((c) => c.op === 'write').length).toBeGreaterThan(10);
    await engine.close();
  });

  it('writes a version made of many appends in a few write calls, not one per piece', async () => {
    const { file, instrumented, engine } = await setup();
    const bus = engine.bus(file);
    // Large enough that the first events are one large piece the appends share (>= 64 KiB).
    await bus.publishMany(Array.from({ length: 200 }, (_, i) => ({ type: 'seed', source: 'test', payload: { i, pad: 'x'.repeat(400) } })));
    for (let i = 0; i < 150; i++) await bus.publish({ type: 'note', source: 'test', payload: { i, pad: 'y'.repeat(400 + (i % 9)) } });
    instrumented.reset();
    await bus.publish({ type: 'note', source: 'test', payload: { last: true } });
    const temp = instrumented.calls.find((c) => c.op === 'open' && c.path?.endsWith('.tmp'))!;
    const writes = instrumented.calls.filter((c) => c.op === 'write' && c.path === temp.path);
    expect(writes.length, instrumented.summary().join(' | ')).toBeGreaterThan(0);
    expect(writes.length, instrumented.summary().join(' | ')).toBeLessThanOrEqual(4);
    expect(JSON.parse(await readFile(file, 'utf8')).events).toHaveLength(351);
    await engine.close();
  });

  it('verifies by re-reading: a lying read-back restores the previous version and fails typed', async () => {
    const { dir, file, instrumented, engine } = await setup();
    await engine.write(file, { version: 1 });
    const before = await readFile(file);
    let renamed = false;
    instrumented.inject({ when: (c) => c.op === 'rename' && c.args[1] === file, result: (v) => ((renamed = true), v), times: 1 });
    // The re-read's first read finds one byte changed.
    instrumented.inject({
      when: (c) => renamed && c.op === 'read' && c.path === file,
      result: (read, c) => {
        const [, buffer, offset] = c.args as [number, Uint8Array, number];
        buffer[offset] = buffer[offset]! ^ 1;
        return read;
      },
      times: 1,
    });
    await expect(engine.write(file, { version: 2 })).rejects.toMatchObject({ code: ErrorCodes.VERIFY_FAILED, file });
    expect(await readFile(file)).toEqual(before);
    expect(await leftovers(dir)).toEqual([]);
    await engine.write(file, { version: 3 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 3 });
    await engine.close();
  });
});

// Faults at every port call of a commit, once and persistently, are the torture suite's
// (tests/torture/io-errors.test.ts); these are the cases it can not single out.
describe('injected I/O faults', () => {
  it('sweeps a temp file whose removal failed with the commit on the next commit', async () => {
    const { dir, file, instrumented, engine } = await setup();
    await engine.write(file, { version: 0 });
    // The disk fails from the temp's fsync on, so the commit can not remove its temp either.
    instrumented.inject({ when: (c) => c.op === 'fsync' && c.path?.endsWith('.tmp') === true, error: 'EIO' });
    instrumented.inject({ when: (c) => c.op === 'unlink' && c.path?.endsWith('.tmp') === true, error: 'EIO' });
    await expect(engine.write(file, { version: 1 })).rejects.toMatchObject({ code: ErrorCodes.IO_FAILED });
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toHaveLength(1);
    await engine.write(file, { version: 2 });
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await engine.close();
  });

  it('sweeps a temp file of the commit journal whose removal failed on the next commit', async () => {
    const { dir, file, instrumented, engine } = await setup();
    await engine.write(file, { version: 0 });
    // A journal past its compaction size: the next record rewrites it through a temp file.
    const journal = path.join(dir, '.prevention', 'data.json.commits.jsonl');
    const [last] = (await readFile(journal, 'utf8')).split('\n');
    await writeFile(journal, `${last}\n`.repeat(Math.ceil((80 * 1024) / (last!.length + 1))));
    const isJournalTemp = (c: FsCall) => c.path?.includes('.commits.jsonl.') === true && c.path.endsWith('.tmp');
    instrumented.inject({ when: (c) => isJournalTemp(c) && c.op === 'fsync', error: 'EIO' });
    instrumented.inject({ when: (c) => isJournalTemp(c) && c.op === 'unlink', error: 'EIO' });
    // The journal is a witness, not data: the commit stands.
    await engine.write(file, { version: 1 });
    const temps = async () => (await readdir(path.dirname(journal))).filter((n) => n.endsWith('.tmp'));
    expect(await temps()).toHaveLength(1);
    await engine.write(file, { version: 2 });
    expect(await temps()).toEqual([]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 2 });
    await engine.close();
  });

  it('says so when the previous version could not be put back after a failed verify', async () => {
    const { file, instrumented, engine } = await setup();
    await engine.write(file, { version: 1 });
    let renamed = false;
    instrumented.inject({ when: (c) => c.op === 'rename' && c.args[1] === file, result: (v) => ((renamed = true), v) });
    // The disk fails right after the rename: the re-read, and the put-back's temp, both fail.
    instrumented.inject({ when: (c) => renamed && c.op === 'open', error: 'EIO', times: Infinity });
    const failed = engine.write(file, { version: 2 });
    await expect(failed).rejects.toMatchObject({ code: ErrorCodes.VERIFY_FAILED, details: { previousVersionRestored: false } });
    await expect(failed).rejects.toThrow(/putting the previous version back failed too/);
    instrumented.reset();
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 2 });
    await engine.close();
  });
});
