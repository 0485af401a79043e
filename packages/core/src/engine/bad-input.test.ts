import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../errors.js';
import { tempDir } from '../__tests__/helpers.js';
import { NodeFileSystem } from '../fs/node-file-system.js';
import { createEngine } from './create-engine.js';

const schema = {
  type: 'object',
  required: ['events'],
  properties: { events: { type: 'array', items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } } } },
};

async function setup() {
  const dir = await tempDir();
  const file = path.join(dir, 'shared.json');
  const engine = await createEngine({ cwd: dir, config: false, maxBytes: 4096, maxDepth: 32, files: [{ path: 'shared.json', schema }] });
  await engine.write(file, { events: [{ type: 'start' }] });
  return { dir, file, engine, before: await readFile(file) };
}

const cyclic = (): unknown => {
  const o: Record<string, unknown> = { events: [] };
  o.self = o;
  return o;
};
let deep: unknown = { type: 'x' };
for (let i = 0; i < 100; i++) deep = { nested: deep };

const badDocuments: Array<[string, () => unknown, string]> = [
  ['a BigInt', () => ({ events: [], n: 1n }), '/n'],
  ['a cycle', cyclic, '/self'],
  ['a function', () => ({ events: [], f: () => 1 }), '/f'],
  ['an undefined root', () => undefined, ''],
  ['NaN', () => ({ events: [], n: NaN }), '/n'],
  ['a Date', () => ({ events: [], at: new Date() }), '/at'],
  ['a __proto__ key', () => JSON.parse('{"events": [], "__proto__": {"admin": true}}'), '/__proto__'],
  ['a constructor key', () => ({ events: [], constructor: { prototype: 1 } }), '/constructor'],
  ['too deep', () => ({ events: [deep] }), '/events/0'],
  ['too large', () => ({ events: [{ type: 'x'.repeat(5000) }] }), ''],
  ['schema-invalid', () => ({ events: [{ kind: 'no type' }] }), '/events/0'],
];

describe('bad input', () => {
  it.each(badDocuments)('refuses %s with every issue located, leaving the file byte-identical', async (_label, make, pointer) => {
    const { dir, file, engine, before } = await setup();
    const failed: unknown[] = [];
    engine.on('validate:failed', (e) => failed.push(e));
    const error = await engine.write(file, make()).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toMatchObject({ code: ErrorCodes.VALIDATION_FAILED, file });
    const issues = (error as { issues: Array<{ path: string }> }).issues;
    expect(issues.some((i) => i.path.startsWith(pointer))).toBe(true);
    expect(failed).toHaveLength(1);
    expect(await readFile(file)).toEqual(before);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock'))).toEqual([]);
    await engine.write(file, { events: [{ type: 'next' }] });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ events: [{ type: 'next' }] });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    await engine.close();
  });

  it('an updater that throws fails alone with its cause', async () => {
    const { file, engine, before } = await setup();
    const cause = new Error('agent bug');
    await expect(
      engine.update(file, () => {
        throw cause;
      }),
    ).rejects.toMatchObject({ code: ErrorCodes.UPDATER_FAILED, cause });
    expect(await readFile(file)).toEqual(before);
    await engine.close();
  });

  it('a caller mutating its document after the write cannot change what was committed', async () => {
    const { file, engine } = await setup();
    const doc = { events: [{ type: 'mine' }] };
    await engine.write(file, doc);
    doc.events.push({ type: 'sneaky' });
    const read = await engine.read<typeof doc>(file);
    read.events.push({ type: 'also sneaky' });
    expect(await engine.read(file)).toEqual({ events: [{ type: 'mine' }] });
    await engine.close();
  });
});

describe('values another tool wrote that JavaScript cannot hold', () => {
  it.each([
    ['an integer beyond 2^53', '{"events":[],"big":12345678901234567891}', '/big'],
    ['a repeated key', '{"a":1,"a":2,"events":[]}', '/a'],
  ])('%s: read and update are refused by pointer, the file stays byte-for-byte, a fixed file is accepted', async (_label, foreign, pointer) => {
    const dir = await tempDir();
    const file = path.join(dir, 'shared.json');
    const engine = await createEngine({ cwd: dir, config: false, initial: { events: [] } });
    await writeFile(file, foreign);
    const refused = expect.objectContaining({ code: ErrorCodes.VALIDATION_FAILED, file, details: { reason: 'inexact' }, issues: [expect.objectContaining({ path: pointer })] });
    await expect(engine.read(file)).rejects.toEqual(refused);
    await expect(engine.update<{ events: unknown[] }>(file, (d) => void d.events.push({ type: 'x' }))).rejects.toEqual(refused);
    expect(await readFile(file, 'utf8')).toBe(foreign);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock'))).toEqual([]);
    await writeFile(file, '{"events":[],"big":"12345678901234567891"}');
    await engine.update<{ events: unknown[] }>(file, (d) => void d.events.push({ type: 'x' }));
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ events: [{ type: 'x' }], big: '12345678901234567891' });
    await engine.close();
  });
});

describe('group commit', () => {
  it('lands 1,000 concurrent updates in far fewer commits, each updater once, in call order', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'group.json');
    const engine = await createEngine({ cwd: dir, config: false, initial: { events: [] } });
    let commits = 0;
    engine.on('commit', () => commits++);
    const calls = new Map<number, number>();
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, n) =>
        engine.update<{ events: number[] }>(file, (draft) => {
          calls.set(n, (calls.get(n) ?? 0) + 1);
          draft.events.push(n);
        }),
      ),
    );
    const { events } = JSON.parse(await readFile(file, 'utf8')) as { events: number[] };
    expect(events).toEqual(Array.from({ length: 1000 }, (_, n) => n));
    expect([...calls.values()].every((c) => c === 1)).toBe(true);
    expect(new Set(results.map((r) => r.sha256)).size).toBe(commits);
    console.log(`group commit: 1000 concurrent updates in ${commits} commits`);
    expect(commits).toBeLessThan(50);
    await engine.close();
  });

  it('an update queued while a commit is taking the lock joins that commit', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'late.json');
    const real = new NodeFileSystem();
    const gate: { hold?: Promise<void> } = {};
    let lockReached!: () => void;
    const reached = new Promise<void>((resolve) => (lockReached = resolve));
    // The lock's mkdir waits while `hold` is pending: the commit is then between taking its batch and applying it.
    const fileSystem = Object.assign(Object.create(real) as NodeFileSystem, {
      mkdir: async (target: string, options?: { recursive?: boolean; mode?: number }) => {
        if (gate.hold && target.endsWith('.lock')) {
          lockReached();
          await gate.hold;
        }
        return real.mkdir(target, options);
      },
    });
    const engine = await createEngine({ cwd: dir, config: false, fileSystem });
    await engine.write(file, { events: [] });
    let release!: () => void;
    gate.hold = new Promise<void>((resolve) => (release = resolve));
    const changes: number[] = [];
    engine.on('commit', (commit) => changes.push(commit.changes));
    const first = engine.update<{ events: string[] }>(file, (draft) => void draft.events.push('first'));
    await reached;
    const second = engine.update<{ events: string[] }>(file, (draft) => void draft.events.push('late'));
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(changes).toEqual([2]);
    expect(a.sha256).toBe(b.sha256);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ events: ['first', 'late'] });
    await engine.close();
  });

  it('a failing updater in a batch fails alone; the others commit', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'group.json');
    const engine = await createEngine({ cwd: dir, config: false, initial: { events: [] }, files: [{ path: 'group.json', schema }] });
    await engine.write(file, { events: [] });
    const outcomes = await Promise.allSettled([
      engine.update<{ events: unknown[] }>(file, (d) => void d.events.push({ type: 'a' })),
      engine.update<{ events: unknown[] }>(file, (d) => {
        d.events.push({ type: 'half-done' });
        throw new Error('boom');
      }),
      engine.update<{ events: unknown[] }>(file, (d) => void d.events.push({ notype: true })),
      engine.update<{ events: unknown[] }>(file, (d) => void d.events.push({ type: 'b' })),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code: string }).code : 'ok'))).toEqual([
      'ok',
      ErrorCodes.UPDATER_FAILED,
      ErrorCodes.VALIDATION_FAILED,
      'ok',
    ]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ events: [{ type: 'a' }, { type: 'b' }] });
    await engine.close();
  });

  it.each([
    ['a throwing getter', () => ({ events: [{ type: 'x', get data(): never { throw new Error('getter bug'); } }] }), '/events/0/data'],
    ['a Proxy whose traps throw', () => ({ events: [new Proxy({}, { ownKeys: () => { throw new Error('trap bug'); } })] }), '/events/0'],
    ['a revoked Proxy', () => { const p = Proxy.revocable({}, {}); p.revoke(); return { events: [p.proxy] }; }, '/events/0'],
    ['a Proxy whose get trap throws', () => ({ events: [new Proxy({ type: 'x' }, { get: () => { throw new Error('get bug'); } })] }), '/events/0/type'],
    ['a toJSON that throws', () => ({ events: [{ type: 'x', toJSON: (): never => { throw new Error('toJSON bug'); } }] }), '/events/0/toJSON'],
  ])('an updater returning %s fails alone, naming where it threw; the rest of its group commit lands', async (_label, poisoned, pointer) => {
    const dir = await tempDir();
    const file = path.join(dir, 'group.json');
    const engine = await createEngine({ cwd: dir, config: false, initial: { events: [] }, files: [{ path: 'group.json', schema }] });
    await engine.write(file, { events: [] });
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = engine.update<{ events: unknown[] }>(file, async (d) => {
      started();
      await holding;
      d.events.push({ type: 'first' });
    });
    await running;
    const good = (n: number) => engine.update<{ events: unknown[] }>(file, (d) => void d.events.push({ type: `good-${n}` }));
    const queued = [good(1), good(2), good(3), engine.update(file, () => poisoned() as never), good(4), good(5)];
    release();
    await first;
    const outcomes = await Promise.allSettled(queued);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const shas = new Set(outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.sha256] : [])));
    expect(shas.size).toBe(1);
    const error = (outcomes[3] as PromiseRejectedResult).reason as { code: string; issues: Array<{ path: string }> };
    expect(error.code).toBe(ErrorCodes.VALIDATION_FAILED);
    expect(error.issues.map((i) => i.path)).toContain(pointer);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ events: ['first', 'good-1', 'good-2', 'good-3', 'good-4', 'good-5'].map((type) => ({ type })) });
    await engine.close();
  });
});
