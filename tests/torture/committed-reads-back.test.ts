import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, isPreventionError, type EngineApi } from '@prevention/core';
import backup from '@prevention/plugin-backup';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MEMORY_DIR, tempDir } from '../support/temp-dir.js';
import { printFigures, scaled } from '../support/torture.js';

const RUNS = scaled(40, 400);
const MAX_DEPTH = 12;
const MAX_BYTES = 8 * 1024;
const figures = { operations: 0, acknowledged: 0, refused: 0 };

afterAll(() => printFigures('committed reads back', figures));

type Json = null | string | number | Json[] | { [key: string]: Json };

/** Objects and arrays nested `depth` levels deep, around `leaf`. */
function nested(depth: number, leaf: Json, arrays: boolean): Json {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = arrays && i % 2 === 0 ? [value] : { k: value };
  return value;
}

/** A value at most a few levels either side of what the limit allows where it will sit. */
const near = (sits: number): fc.Arbitrary<Json> =>
  fc.tuple(fc.integer({ min: MAX_DEPTH - sits - 3, max: MAX_DEPTH - sits + 2 }), fc.string({ maxLength: 3000 }), fc.boolean()).map(([depth, leaf, arrays]) => nested(Math.max(0, depth), leaf, arrays));

type Operation =
  | { kind: 'write'; value: Json }
  | { kind: 'update'; value: Json }
  | { kind: 'publish'; value: Json }
  | { kind: 'state'; value: Json }
  | { kind: 'restore' };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  near(2).map((value) => ({ kind: 'write' as const, value })), // at /extra
  near(2).map((value) => ({ kind: 'update' as const, value })), // at /extra
  near(4).map((value) => ({ kind: 'publish' as const, value })), // at /events/n/payload
  near(2).map((value) => ({ kind: 'state' as const, value })), // at /note
  fc.constant({ kind: 'restore' as const }),
);

const settings = { config: false as const, maxDepth: MAX_DEPTH, maxBytes: MAX_BYTES, logger: { level: 'silent' as const }, lock: { staleMs: 2000, timeoutMs: 5000 } };
const open = (dir: string): Promise<EngineApi> => createEngine({ cwd: dir, ...settings, plugins: [backup({ strategies: [{ type: 'rotating', keep: 5 }] })] });

describe('anything committed reads back under the same settings', () => {
  it(`write, update, publish, state and restore near maxDepth ${MAX_DEPTH} and maxBytes ${MAX_BYTES}: every acknowledged version reads back in a fresh engine, every refusal leaves the file byte for byte`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 8 }), async (operations) => {
        const dir = await tempDir('prevention-readback-', MEMORY_DIR);
        const file = path.join(dir, 'ctx.json');
        const engine = await open(dir);
        const bus = engine.bus(file);
        await bus.publish({ type: 'start', source: 'test' });
        const published: Array<{ seq: number; payload: Json }> = [];
        try {
          for (const op of operations) {
            figures.operations += 1;
            const before = await readFile(file);
            try {
              if (op.kind === 'write') await engine.write(file, { ...(await engine.read<Record<string, Json>>(file)), extra: op.value });
              else if (op.kind === 'update') await engine.update<Record<string, Json>>(file, (draft) => void (draft.extra = op.value));
              else if (op.kind === 'publish') published.push({ seq: (await bus.publish({ type: 'p', source: 'test', payload: op.value })).seq, payload: op.value });
              else if (op.kind === 'state') await bus.state.set('note', op.value);
              else await engine.restore(file);
              figures.acknowledged += 1;
            } catch (err) {
              expect(isPreventionError(err), String(err)).toBe(true);
              figures.refused += 1;
              expect((await readFile(file)).equals(before)).toBe(true);
              continue;
            }
            // A fresh engine, with nothing cached, reads what was acknowledged.
            const reader = await createEngine({ cwd: dir, ...settings });
            try {
              const onDisk = JSON.parse(await readFile(file, 'utf8')) as Json;
              expect(await reader.read(file)).toEqual(onDisk);
              const events = await reader.bus(file).events({ since: 0 });
              const live = new Map(events.map((e) => [e.seq, e.payload]));
              for (const { seq, payload } of published) if (op.kind !== 'restore' && live.has(seq)) expect(live.get(seq)).toEqual(payload);
              if (op.kind === 'publish') expect(live.get(published.at(-1)!.seq)).toEqual(op.value);
              if (op.kind === 'write' || op.kind === 'update') expect((onDisk as Record<string, Json>).extra).toEqual(op.value);
              if (op.kind === 'state') expect(await reader.bus(file).state.get('note')).toEqual(op.value);
            } finally {
              await reader.close();
            }
          }
        } finally {
          await engine.close();
        }
      }),
      { numRuns: RUNS },
    );
    expect(figures.acknowledged).toBeGreaterThan(0);
    expect(figures.refused).toBeGreaterThan(0);
  });
});
