import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { symlinkSync, unlinkSync } from 'node:fs';
import { mkdir, readFile, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { journalPathFor } from '../store/file-layout.js';
import { tempDir } from '../__tests__/helpers.js';
import { sha256Hex } from '../commit/sha256.js';
import { createEngine } from '../engine/create-engine.js';
import type { EngineApi } from '../contract.js';
import { ErrorCodes } from '../errors.js';
import { NodeFileSystem } from '../fs/node-file-system.js';
import { InstrumentedFileSystem } from '../testing/instrumented-file-system.js';
import { inspectFile, type InspectedFile, type PresentFile } from './inspect-file.js';

const fs = new NodeFileSystem();
const SCHEMA = { type: 'object', required: ['events'], properties: { events: { type: 'array', items: { type: 'string' } } } };

const engines: EngineApi[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

/** A temp directory with an engine whose `*.json` files have a schema, a 200-byte limit and a depth limit of 4. */
async function project(): Promise<{ dir: string; engine: EngineApi }> {
  const dir = await tempDir();
  const engine = await createEngine({ cwd: dir, config: false, files: [{ path: '*.json', schema: SCHEMA, maxBytes: 200, maxDepth: 4 }], logger: { level: 'silent' } });
  engines.push(engine);
  return { dir, engine };
}

function present(inspection: InspectedFile): PresentFile {
  expect(inspection.state).toBe('present');
  return inspection as PresentFile;
}

describe('inspectFile', () => {
  it('reports a missing file, with no baseline when it was never committed', async () => {
    const { dir } = await project();
    expect(await inspectFile(fs, path.join(dir, 'never.json'))).toEqual({ state: 'missing', lastCommit: undefined, journalError: undefined });
  });

  it('reports a deleted file with its last commit', async () => {
    const { dir, engine } = await project();
    const file = path.join(dir, 'a.json');
    const { sha256 } = await engine.write(file, { events: ['x'] });
    await unlink(file);
    const inspection = await inspectFile(fs, file);
    expect(inspection.state).toBe('missing');
    expect(inspection.lastCommit).toMatchObject({ sha256 });
  });

  it('reads a committed file: bytes, sha256 and the journal baseline agree, and the content is the document', async () => {
    const { dir, engine } = await project();
    const file = path.join(dir, 'a.json');
    const { sha256 } = await engine.write(file, { events: ['x'] });
    const inspection = present(await inspectFile(fs, file));
    expect(inspection.bytes).toEqual(await readFile(file));
    expect(inspection.sha256).toBe(sha256);
    expect(inspection.lastCommit?.sha256).toBe(sha256);
    expect(inspection.stats.size).toBe(inspection.bytes.length);
    expect(inspection.journalError).toBeUndefined();
    expect(inspection.content(await engine.settings(file))).toEqual({ document: { events: ['x'] }, corrupt: undefined, schemaIssues: [], overSize: false });
  });

  it('hashes the bytes found, so an outside edit differs from the journal', async () => {
    const { dir, engine } = await project();
    const file = path.join(dir, 'a.json');
    await engine.write(file, { events: [] });
    await writeFile(file, '{"events":["outside"]}');
    const inspection = present(await inspectFile(fs, file));
    expect(inspection.sha256).toBe(sha256Hex(Buffer.from('{"events":["outside"]}')));
    expect(inspection.lastCommit?.sha256).not.toBe(inspection.sha256);
  });

  it('gives the CORRUPT_DOCUMENT error of bytes that do not parse, with the byte offset', async () => {
    const { dir, engine } = await project();
    const file = path.join(dir, 'a.json');
    await writeFile(file, '{"events": [');
    const content = present(await inspectFile(fs, file)).content(await engine.settings(file));
    expect(content.document).toBeUndefined();
    expect(content.corrupt).toMatchObject({ code: ErrorCodes.CORRUPT_DOCUMENT, details: { reason: 'invalid-json', offset: 12 } });
    expect(content.schemaIssues).toEqual([]);

    await writeFile(file, '');
    expect(present(await inspectFile(fs, file)).content(await engine.settings(file)).corrupt).toMatchObject({ details: { reason: 'empty' } });
  });

  it('reports nesting beyond maxDepth as a structure problem, with its pointer', async () => {
    const { dir, engine } = await project();
    const file = path.join(dir, 'a.json');
    await writeFile(file, JSON.stringify({ events: [], a: { b: { c: { d: {} } } } }));
    const { corrupt } = present(await inspectFile(fs, file)).content(await engine.settings(file));
    expect(corrupt).toMatchObject({ code: ErrorCodes.CORRUPT_DOCUMENT, details: { reason: 'structure' } });
    expect(corrupt?.issues[0]?.path).toBe('/a/b/c/d');
  });

  it('lists schema issues by JSON pointer, and flags a file over maxBytes', async () => {
    const { dir, engine } = await project();
    const file = path.join(dir, 'a.json');
    await writeFile(file, JSON.stringify({ events: ['ok', 7, 'x'.repeat(200)] }));
    const content = present(await inspectFile(fs, file)).content(await engine.settings(file));
    expect(content.document).toEqual({ events: ['ok', 7, 'x'.repeat(200)] });
    expect(content.schemaIssues.map((issue) => issue.path)).toEqual(['/events/1']);
    expect(content.overSize).toBe(true);
  });

  it('refuses to follow a symbolic link, and names a directory or a FIFO', async () => {
    const { dir } = await project();
    await writeFile(path.join(dir, 'target.json'), '{"events":[]}');
    await symlink(path.join(dir, 'target.json'), path.join(dir, 'link.json'));
    await mkdir(path.join(dir, 'dir.json'));
    execFileSync('mkfifo', [path.join(dir, 'fifo.json')]);
    const traced = new InstrumentedFileSystem(fs);
    expect(await inspectFile(traced.fs, path.join(dir, 'link.json'))).toMatchObject({ state: 'not-regular', type: 'symbolic-link' });
    expect(await inspectFile(traced.fs, path.join(dir, 'dir.json'))).toMatchObject({ state: 'not-regular', type: 'directory' });
    expect(await inspectFile(traced.fs, path.join(dir, 'fifo.json'))).toMatchObject({ state: 'not-regular', type: 'other' });
    // None of them was opened: the FIFO would have blocked, the link would have been followed.
    expect(traced.summary((call) => call.op === 'readFile' && !call.path?.endsWith('.jsonl'))).toEqual([]);
  });

  it('reports a symbolic link put in place between the lstat and the read', async () => {
    const { dir } = await project();
    const file = path.join(dir, 'a.json');
    await writeFile(file, '{"events":[]}');
    await writeFile(path.join(dir, 'elsewhere.json'), '{"events":["not mine"]}');
    const traced = new InstrumentedFileSystem(fs);
    traced.inject({
      when: (call) => call.op === 'readFile' && call.path === file,
      before: () => {
        unlinkSync(file);
        symlinkSync(path.join(dir, 'elsewhere.json'), file);
      },
    });
    expect(await inspectFile(traced.fs, file)).toMatchObject({ state: 'not-regular', type: 'symbolic-link' });
  });

  it('reports a file it cannot look at or read as unreadable, with the system code and a typed error', async () => {
    const { dir } = await project();
    const file = path.join(dir, 'a.json');
    await writeFile(file, '{"events":[]}');
    const traced = new InstrumentedFileSystem(fs);
    traced.inject({ when: (call) => call.op === 'lstat' && call.path === file, error: 'EACCES' });
    const denied = await inspectFile(traced.fs, file);
    expect(denied).toMatchObject({ state: 'unreadable', reason: 'EACCES', error: { code: ErrorCodes.IO_FAILED, file, cause: { code: 'EACCES' } } });

    traced.inject({ when: (call) => call.op === 'readFile' && call.path === file, error: 'EIO' });
    expect(await inspectFile(traced.fs, file)).toMatchObject({ state: 'unreadable', reason: 'EIO', error: { code: ErrorCodes.IO_FAILED } });
  });

  it('still inspects the file when its journal cannot be read, and says so', async () => {
    const { dir, engine } = await project();
    const file = path.join(dir, 'a.json');
    const { sha256 } = await engine.write(file, { events: [] });
    const traced = new InstrumentedFileSystem(fs);
    traced.inject({ when: (call) => call.op === 'open' && call.path === journalPathFor(file), error: 'EACCES' });
    const inspection = present(await inspectFile(traced.fs, file));
    expect(inspection.sha256).toBe(sha256);
    expect(inspection.lastCommit).toBeUndefined();
    expect(inspection.journalError).toMatchObject({ code: ErrorCodes.IO_FAILED, cause: { code: 'EACCES' } });
  });

  it('does not read a file its caller proves unchanged, and reads it otherwise', async () => {
    const { dir } = await project();
    const file = path.join(dir, 'a.json');
    await writeFile(file, '{"events":[]}');
    const traced = new InstrumentedFileSystem(fs);
    const seen: bigint[] = [];
    const unchanged = await inspectFile(traced.fs, file, { unchanged: (stats) => (seen.push(stats.ino), true) });
    expect(unchanged.state).toBe('unchanged');
    expect(seen).toHaveLength(1);
    expect(traced.summary((call) => call.op === 'readFile')).toEqual([]);

    const read = await inspectFile(traced.fs, file, { unchanged: () => false });
    expect(read.state).toBe('present');
    // The file is read whole, then the journal is looked for (it has none: never committed).
    expect(traced.summary((call) => call.op === 'readFile' || call.path === journalPathFor(file))).toEqual([`readFile ${file}`, `open ${journalPathFor(file)}`]);
  });
});
