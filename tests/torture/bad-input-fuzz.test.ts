import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, isPreventionError, type EngineApi } from '@prevention/core';
import fc from 'fast-check';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MEMORY_DIR, tempDir } from '../support/temp-dir.js';
import { printFigures, scaled } from '../support/torture.js';

const RUNS = scaled(1000, 10_000);
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
const figures = { cases: 0, committed: 0, refused: 0, corruptReadsRefused: 0, crashes: 0 };

let engine: EngineApi;
let dir: string;
let file: string;

// Each test gets a fresh directory (removed after it) holding a committed file.
beforeEach(async () => {
  dir = await tempDir('prevention-fuzz-', MEMORY_DIR);
  file = path.join(dir, 'data.json');
  engine = await createEngine({ cwd: dir, config: false, lock: { staleMs: 2000, timeoutMs: 5000 }, logger: { level: 'silent' } });
  await engine.write(file, { start: true });
});

afterEach(() => engine.close());

afterAll(() => printFigures('bad-input fuzz', figures));

function expectPrototypeUntouched(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

/**
 * Writes `value`: it must commit a file that parses back to what the engine reads, or be
 * refused with a typed error leaving the file byte-identical. Either way the next valid write
 * succeeds and Object.prototype is untouched.
 */
async function writeAndCheck(value: unknown): Promise<void> {
  figures.cases += 1;
  const before = await readFile(file);
  try {
    await engine.write(file, value);
    figures.committed += 1;
    const onDisk: unknown = JSON.parse(await readFile(file, 'utf8'));
    expect(await engine.read(file)).toEqual(onDisk);
  } catch (err) {
    if (!isPreventionError(err)) figures.crashes += 1;
    expect(isPreventionError(err), String(err)).toBe(true);
    figures.refused += 1;
    expect((await readFile(file)).equals(before)).toBe(true);
  }
  expectPrototypeUntouched();
  await engine.write(file, { valid: figures.cases });
}

/** `[1, <hole>, 3]`: a hole where JSON has none. */
function sparseArray(): unknown[] {
  const array = [1];
  array[2] = 3;
  return array;
}

/** Keys that have hurt JSON libraries before, mixed into random ones. */
const hostileKey = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toJSON', 'polluted', ''));

/** Plain JSON, with JSON.parse's own `__proto__` keys (own properties, not the prototype). */
const parsedJson = fc.jsonValue().map((v) => JSON.parse(`{"__proto__":{"polluted":1},"value":${JSON.stringify(v)}}`) as unknown);

const anyValue = fc.oneof(
  fc.anything({ key: hostileKey, withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withObjectString: true, withSparseArray: true, withTypedArray: true, withUnicodeString: true }),
  parsedJson,
  fc.record({ events: fc.array(fc.anything({ key: hostileKey, withBigInt: true, withNullPrototype: true })) }),
);

describe('bad-input fuzz: anything written gives a valid commit or a typed error, never a crash', () => {
  it(`${RUNS} random documents (hostile keys, BigInt, boxed values, Maps, Dates, sparse arrays, null prototypes)`, async () => {
    await fc.assert(fc.asyncProperty(anyValue, writeAndCheck), { numRuns: RUNS });
  });

  it('a cycle, a BigInt, a function, a symbol key, undefined and NaN', async () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    for (const value of [cycle, { n: 10n }, { f: () => 1 }, { [Symbol('s')]: 1 }, undefined, { x: undefined }, { x: Number.NaN }, sparseArray()]) await writeAndCheck(value);
  });

  it('nesting 100,000 deep, arrays and objects', async () => {
    let array: unknown = [];
    let object: unknown = {};
    for (let i = 0; i < 100_000; i++) {
      array = [array];
      object = { a: object };
    }
    await writeAndCheck(array);
    await writeAndCheck(object);
  });

  it('a 100 MB string', async () => {
    await writeAndCheck({ big: 'x'.repeat(100 * 1024 * 1024) });
  });

  it('bad bytes on disk (invalid UTF-8, nesting 100,000 deep, random bytes): reads and updates refuse with a typed error, the file untouched', async () => {
    const badFiles = [
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), // {"a":"\xff\xfe"}
      Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`),
      ...fc.sample(fc.uint8Array({ minLength: 1, maxLength: 64 }), scaled(50, 500)).map((b) => Buffer.from(b)),
    ];
    for (const bytes of badFiles) {
      await writeFile(file, bytes);
      let valid = true;
      try {
        JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
      } catch {
        valid = false;
      }
      for (const attempt of [() => engine.read(file), () => engine.update(file, () => ({ replaced: true }))]) {
        try {
          await attempt();
          expect(valid, `accepted ${bytes.toString('hex').slice(0, 40)}`).toBe(true);
        } catch (err) {
          expect(isPreventionError(err), String(err)).toBe(true);
          expect(await readFile(file)).toEqual(bytes);
          figures.corruptReadsRefused += 1;
        }
      }
      expectPrototypeUntouched();
    }
    await writeFile(file, '{}');
    await engine.write(file, { recovered: true });
  });
});
