import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JsonValue } from '../contract.js';
import { ErrorCodes } from '../errors.js';
import { serializeDocument } from '../json/serialize-document.js';
import { TempDirs } from '../testing/temp-dirs.js';
import { createEngine } from './create-engine.js';
import type { Engine } from './engine.js';
import type * as ParseModule from '../json/parse-document.js';

/** The byte length of every text the engine parses as a document (or as the items it appended). */
const parsed = vi.hoisted(() => [] as number[]);
vi.mock('../json/parse-document.js', async (original) => {
  const actual = await original<typeof ParseModule>();
  return {
    ...actual,
    parseDocument: (...args: Parameters<typeof actual.parseDocument>) => {
      parsed.push(args[0].length);
      return actual.parseDocument(...args);
    },
  };
});

const dirs = new TempDirs();
afterEach(() => dirs.removeAll());

type Doc = { events: JsonValue[] };
const open = (dir: string) => createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, initial: { events: [] } }) as Promise<Engine>;
const events = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ n: from + i, text: 'x'.repeat(200) }));

describe('warming an engine up for a file another process commits to', () => {
  it('parses the file once, and the next load only what was appended since', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'ctx.json');
    const writer = await open(dir);
    await writer.update<Doc>(file, (doc) => void doc.events.push(...events(0, 200)));
    const warmed = await open(dir);
    await warmed.warm(file);
    for (let i = 0; i < 3; i++) await writer.update<Doc>(file, (doc) => void doc.events.push(...events(200 + i, 1)));
    const size = (await readFile(file)).length;
    parsed.length = 0;
    await warmed.update<Doc>(file, (doc) => void doc.events.push({ n: 203 }));
    // Only the three appended events, wrapped as an array, were parsed: not the whole file.
    expect(parsed.length).toBeGreaterThan(0);
    expect(Math.max(...parsed)).toBeLessThan(size / 20);
    const doc = JSON.parse(await readFile(file, 'utf8')) as { events: Array<{ n: number }> };
    expect(doc.events.map((e) => e.n)).toEqual([...Array(204).keys()]);
    expect((await readFile(file)).equals(serializeDocument(doc, 2))).toBe(true);
    await Promise.all([writer.close(), warmed.close()]);
  });

  it('never serves what it parsed as the current version without judging it: an outside write stays one', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'ctx.json');
    const writer = await open(dir);
    await writer.update<Doc>(file, (doc) => void doc.events.push({ n: 1 }));
    // Written as the engine would write it, but not by prevention: no commit record has it.
    await writeFile(file, serializeDocument({ events: [{ n: 1 }, { n: 2 }] }, 2));
    await writer.close();
    const warmed = (await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, onOutsideWrite: 'alert-only' })) as Engine;
    await warmed.warm(file);
    await expect(warmed.update<Doc>(file, (doc) => void doc.events.push({ n: 3 }))).rejects.toMatchObject({ code: ErrorCodes.OUTSIDE_WRITE });
    await warmed.close();
  });

  it('never fails, whatever the file holds', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'ctx.json');
    await writeFile(file, '{"events": [');
    const warmed = await open(dir);
    await expect(warmed.warm(file)).resolves.toBeUndefined();
    await expect(warmed.warm(path.join(dir, 'missing.json'))).resolves.toBeUndefined();
    await expect(warmed.read(file)).rejects.toMatchObject({ code: ErrorCodes.CORRUPT_DOCUMENT });
    await warmed.close();
  });
});
