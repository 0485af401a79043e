import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from '../contract.js';
import { ErrorCodes } from '../errors.js';
import { serializeDocument } from '../json/serialize-document.js';
import { TempDirs } from '../testing/temp-dirs.js';
import { createEngine } from './create-engine.js';

const dirs = new TempDirs();
afterEach(() => dirs.removeAll());

type Doc = { events: JsonValue[]; note?: string };
const push = (engine: Awaited<ReturnType<typeof createEngine>>, file: string, ...events: JsonValue[]) =>
  engine.update<Doc>(file, (doc) => void doc.events.push(...events));

describe('loading another writer\'s append to the version cached', () => {
  it('reads exactly the file, whichever engine appended last, and writes on from it byte for byte', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'ctx.json');
    const a = await createEngine({ cwd: dir, config: false, initial: { events: [] } });
    const b = await createEngine({ cwd: dir, config: false, initial: { events: [] } });
    await push(a, file, { n: 1 }, { n: 2 });
    for (let i = 0; i < 6; i++) await push(i % 2 ? a : b, file, { n: 3 + i, text: `é ${'x'.repeat(i)}` });
    await writeFile(file, serializeDocument({ ...(JSON.parse(await readFile(file, 'utf8')) as JsonObject), note: 'kept' }, 2));
    await push(b, file, { n: 9 });
    await push(a, file, { n: 10 });
    const bytes = await readFile(file);
    const parsed = JSON.parse(bytes.toString()) as Doc;
    expect(parsed.events.map((e) => (e as { n: number }).n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(parsed.note).toBe('kept');
    expect(bytes.equals(serializeDocument(parsed, 2))).toBe(true);
    expect(await a.read(file)).toEqual(parsed);
    expect(await b.read(file)).toEqual(parsed);
    await Promise.all([a.close(), b.close()]);
  });

  it('still refuses an appended item that breaks the structural limits, or holds a repeated key', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'ctx.json');
    const engine = await createEngine({ cwd: dir, config: false, initial: { events: [] }, onOutsideWrite: 'accept', maxDepth: 6 });
    await push(engine, file, { n: 1 });
    const committed = JSON.parse(await readFile(file, 'utf8')) as Doc;
    // Written as the engine itself would write it, so only the limit tells it apart.
    const deep = serializeDocument({ events: [...committed.events, { a: { b: { c: { d: [1] } } } }] }, 2);
    await writeFile(file, deep);
    const refusal = { code: ErrorCodes.CORRUPT_DOCUMENT, details: { reason: 'structure' } };
    await expect(engine.read(file)).rejects.toMatchObject(refusal);
    // The same verdict as a full parse by an engine that never saw the file.
    const fresh = await createEngine({ cwd: dir, config: false, maxDepth: 6 });
    await expect(fresh.read(file)).rejects.toMatchObject(refusal);
    await fresh.close();

    await writeFile(file, serializeDocument(committed, 2));
    await engine.read(file);
    const repeated = Buffer.from(serializeDocument({ events: [...committed.events, { k: 2 }] }, 2).toString().replace('"k": 2', '"k": 1,\n      "k": 2'));
    await writeFile(file, repeated);
    await expect(engine.read(file)).rejects.toMatchObject({ code: ErrorCodes.VALIDATION_FAILED, details: { reason: 'inexact' } });
    expect((await readFile(file)).equals(repeated)).toBe(true);
    await engine.close();
  });
});
