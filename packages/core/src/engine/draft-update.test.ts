import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../contract.js';
import { draftUpdate } from './draft-update.js';

type Doc = { meta: { owner: string }; events: Array<{ id: number; tags?: string[] }> };
const base = (): Doc => ({ meta: { owner: 'a' }, events: [{ id: 1 }, { id: 2, tags: ['x'] }] });
const limits = { maxDepth: 8 };
const ok = (result: Awaited<ReturnType<typeof draftUpdate>>): JsonValue => {
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.value;
};

describe('draftUpdate: an updater on a copy-on-write draft', () => {
  it('copies only what the updater changed and shares the rest with the base', async () => {
    const before = base();
    const next = ok(await draftUpdate(before, (d) => void (d as Doc).events.push({ id: 3 }), limits)) as Doc;
    expect(next.events.map((e) => e.id)).toEqual([1, 2, 3]);
    expect(next.events).not.toBe(before.events);
    expect(next.events[0]).toBe(before.events[0]);
    expect(next.meta).toBe(before.meta);
    expect(before.events).toHaveLength(2);
  });

  it('leaves the base untouched when the updater throws halfway', async () => {
    const before = base();
    await expect(
      draftUpdate(
        before,
        (d) => {
          (d as Doc).events[0]!.id = 99;
          throw new Error('halfway');
        },
        limits,
      ),
    ).rejects.toThrow('halfway');
    expect(before).toEqual(base());
  });

  it('copies what the updater put in, so a reference the caller keeps changes nothing later', async () => {
    const mine = { id: 3, tags: ['mine'] };
    const next = ok(await draftUpdate(base(), (d) => void (d as Doc).events.push(mine), limits)) as Doc;
    mine.tags.push('changed later');
    mine.id = 42;
    expect(next.events[2]).toEqual({ id: 3, tags: ['mine'] });
  });

  it('revokes the draft, so an updater that kept it can not reach the document afterwards', async () => {
    let kept: Doc | undefined;
    const next = ok(await draftUpdate(base(), (d) => void (kept = d as Doc), limits)) as Doc;
    expect(() => kept!.events.push({ id: 666 })).toThrow();
    expect(next.events).toHaveLength(2);
  });

  it('refuses, by JSON pointer, what JSON can not hold at the place it was put', async () => {
    const bigint = await draftUpdate(base(), (d) => void ((d as Doc).events[1]!.tags as unknown[]).push(10n), limits);
    expect(bigint).toMatchObject({ ok: false, issues: [{ path: '/events/1/tags/1' }] });
    const polluting = await draftUpdate(base(), (d) => void (((d as Doc).meta as unknown as Record<string, unknown>)['constructor'] = { admin: true }), limits);
    expect(polluting).toMatchObject({ ok: false, issues: [{ path: '/meta/constructor' }] });
    const deep = await draftUpdate(base(), (d) => void (((d as Doc).meta as unknown as Record<string, unknown>).nested = { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } }), limits);
    expect(deep).toMatchObject({ ok: false, issues: [{ path: expect.stringMatching(/^\/meta\/nested/), limit: { setting: 'maxDepth' } }] });
    const date = await draftUpdate(base(), (d) => void (((d as Doc).meta as unknown as Record<string, unknown>).when = new Date(0)), limits);
    expect(date).toMatchObject({ ok: false, issues: [{ path: '/meta/when' }] });
  });

  it('drops a property set to undefined, as serializing would', async () => {
    const next = ok(await draftUpdate(base(), (d) => void (((d as Doc).meta as unknown as Record<string, unknown>).gone = undefined), limits));
    expect(next).toEqual(base());
    expect(Object.keys((next as Doc).meta)).toEqual(['owner']);
  });

  it('takes a new document the updater returns, built from draft parts, checked and copied whole', async () => {
    const next = ok(await draftUpdate(base(), (d) => ({ ...(d as Doc), events: [...(d as Doc).events, { id: 3 }] }), limits)) as Doc;
    expect(next).toEqual({ meta: { owner: 'a' }, events: [{ id: 1 }, { id: 2, tags: ['x'] }, { id: 3 }] });
    expect((await draftUpdate(base(), () => ({ bad: Symbol('x') }) as unknown as JsonValue, limits)).ok).toBe(false);
  });

  it('hands a scalar document to the updater as it is', async () => {
    expect(ok(await draftUpdate(41, (n) => (n as number) + 1, limits))).toBe(42);
  });
});
