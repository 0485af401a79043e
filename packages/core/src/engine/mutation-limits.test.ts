import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../contract.js';
import { createEngine } from './create-engine.js';
import type { Engine } from './engine.js';
import { ErrorCodes } from '../errors.js';
import { tempDir } from '../__tests__/helpers.js';

function nested(depth: number): JsonValue {
  let value: JsonValue = 'leaf';
  for (let i = 0; i < depth; i++) value = { next: value };
  return value;
}

describe('mutations commit under the file settings', () => {
  it('checks what a mutation puts in against maxDepth where it sits, and refuses prototype keys, leaving the file unchanged', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'data.json');
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, maxDepth: 8 });
    await engine.write(file, { list: [] });
    const before = await readFile(file);
    const put = (value: JsonValue) => (engine as Engine).mutate(file, { apply: (document) => ({ next: { ...(document as object), list: [value] }, added: [{ at: '/list/0', value }] }) });
    // `/list/0` sits at depth 3: seven levels of objects from there reach depth 9.
    await expect(put(nested(7))).rejects.toMatchObject({ code: ErrorCodes.VALIDATION_FAILED, issues: [expect.objectContaining({ path: expect.stringMatching(/^\/list\/0\//) })] });
    await expect(put(JSON.parse('{"__proto__": {"polluted": true}}') as JsonValue)).rejects.toMatchObject({ code: ErrorCodes.VALIDATION_FAILED });
    expect((await readFile(file)).equals(before)).toBe(true);
    await put(nested(6));
    await engine.close();
    const reader = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, maxDepth: 8 });
    expect(await reader.read(file)).toEqual({ list: [nested(6)] });
    await reader.close();
  });
});
