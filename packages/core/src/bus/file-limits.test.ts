import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine/create-engine.js';
import { ErrorCodes } from '../errors.js';
import { leftovers, tempDir } from '../__tests__/helpers.js';

/** Objects nested `depth` levels deep, around a string. */
function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { next: value };
  return value;
}

const MAX_DEPTH = 64;
/** Root object → events array → event → payload: a payload's own depth adds three. */
const PAYLOAD_OFFSET = 3;

async function setup() {
  const dir = await tempDir();
  const file = path.join(dir, 'ctx.json');
  const options = { cwd: dir, config: false as const, logger: { level: 'silent' as const }, maxDepth: MAX_DEPTH };
  const engine = await createEngine(options);
  return { dir, file, engine, bus: engine.bus(file), reader: () => createEngine(options) };
}

describe("the bus commits under the file's limits", () => {
  it('refuses a payload that would nest the file deeper than its maxDepth, leaving the file byte for byte, and what it accepts reads back', async () => {
    const { dir, file, engine, bus, reader } = await setup();
    const deepest = await bus.publish({ type: 't', source: 's', payload: nested(MAX_DEPTH - PAYLOAD_OFFSET) });
    const before = await readFile(file);
    for (const depth of [MAX_DEPTH - PAYLOAD_OFFSET + 1, 80]) {
      await expect(bus.publish({ type: 't', source: 's', payload: nested(depth) })).rejects.toMatchObject({
        code: ErrorCodes.VALIDATION_FAILED,
        issues: [expect.objectContaining({ message: expect.stringContaining(`limit of ${MAX_DEPTH}`) })],
      });
    }
    expect((await readFile(file)).equals(before)).toBe(true);
    expect(await leftovers(dir)).toEqual([]);
    const next = await bus.publish({ type: 't', source: 's', payload: 'after' });
    await engine.close();

    const other = await reader();
    const read = await other.bus(file).events({ since: 0 });
    expect(read.map((e) => e.seq)).toEqual([deepest.seq, next.seq]);
    expect(read[0]!.payload).toEqual(nested(MAX_DEPTH - PAYLOAD_OFFSET));
    await other.close();
  });

  it("refuses state deeper than the file's maxDepth, and what it accepts reads back", async () => {
    const { file, engine, bus, reader } = await setup();
    // Root object → state key: a state value's own depth adds one.
    await bus.state.set('deepest', nested(MAX_DEPTH - 1));
    const before = await readFile(file);
    await expect(bus.state.set('deeper', nested(MAX_DEPTH))).rejects.toMatchObject({ code: ErrorCodes.VALIDATION_FAILED });
    expect((await readFile(file)).equals(before)).toBe(true);
    await engine.close();
    const other = await reader();
    expect(await other.bus(file).state.get('deepest')).toEqual(nested(MAX_DEPTH - 1));
    await other.close();
  });
});
