import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ServeProjects } from './__tests__/serve-project.js';

const projects = new ServeProjects();
afterEach(() => projects.cleanup());

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const put = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'PUT', path: '/v1/files/docs/a.json', body: JSON.stringify(body), headers });

describe('/v1/files/{file}', () => {
  it('GET of a missing file gives its initial document and no ETag; PUT commits and its ETag is the sha256 of the bytes on disk', async () => {
    const { dir, send } = await projects.start();
    const missing = await send({ path: '/v1/files/docs/a.json' });
    expect(missing.status).toBe(200);
    expect(missing.json()).toEqual({});
    expect(missing.headers.etag).toBeUndefined();

    const written = await send(put({ n: 1 }));
    expect(written.status).toBe(200);
    const onDisk = sha256(await readFile(path.join(dir, 'docs', 'a.json')));
    expect(written.json()).toMatchObject({ sha256: onDisk, bytes: expect.any(Number) });
    expect(written.headers.etag).toBe(`"${onDisk}"`);

    const read = await send({ path: '/v1/files/docs/a.json' });
    expect(read.json()).toEqual({ n: 1 });
    expect(read.headers.etag).toBe(`"${onDisk}"`);
    const unchanged = await send({ path: '/v1/files/docs/a.json', headers: { 'If-None-Match': `"${onDisk}"` } });
    expect(unchanged.status).toBe(304);
  });

  it('If-None-Match: * creates only; If-Match commits only on the version named, else 412 with the current ETag', async () => {
    const { dir, send } = await projects.start();
    expect((await send(put({ v: 1 }, { 'If-None-Match': '*' }))).status).toBe(200);
    const first = await send({ path: '/v1/files/docs/a.json' });
    const again = await send(put({ v: 2 }, { 'If-None-Match': '*' }));
    expect(again.status).toBe(412);
    expect(again.json()).toMatchObject({ error: { code: 'PREVENTION_PRECONDITION_FAILED' } });
    expect(again.headers.etag).toBe(first.headers.etag);

    const matched = await send(put({ v: 2 }, { 'If-Match': first.headers.etag! }));
    expect(matched.status).toBe(200);
    const stale = await send(put({ v: 3 }, { 'If-Match': first.headers.etag! }));
    expect(stale.status).toBe(412);
    expect(stale.headers.etag).toBe(matched.headers.etag);
    expect(JSON.parse(await readFile(path.join(dir, 'docs', 'a.json'), 'utf8'))).toEqual({ v: 2 });
  });

  it('of two writers holding the same ETag, exactly one commits', async () => {
    const { send } = await projects.start();
    const base = await send(put({ v: 0 }));
    const outcomes = await Promise.all([1, 2, 3, 4].map((v) => send(put({ v }, { 'If-Match': base.headers.etag! }))));
    expect(outcomes.map((o) => o.status).sort()).toEqual([200, 412, 412, 412]);
    const winner = outcomes.findIndex((o) => o.status === 200) + 1;
    expect((await send({ path: '/v1/files/docs/a.json' })).json()).toEqual({ v: winner });
  });

  it('PATCH applies an RFC 6902 JSON Patch to the latest version', async () => {
    const { send } = await projects.start();
    await send(put({ list: [1, 2], keep: true, drop: 'x' }));
    const patched = await send({
      method: 'PATCH',
      path: '/v1/files/docs/a.json',
      headers: { 'Content-Type': 'application/json-patch+json' },
      body: JSON.stringify([
        { op: 'add', path: '/list/-', value: 3 },
        { op: 'remove', path: '/drop' },
        { op: 'test', path: '/keep', value: true },
        { op: 'copy', from: '/list/0', path: '/first' },
      ]),
    });
    expect(patched.status, patched.text).toBe(200);
    expect((await send({ path: '/v1/files/docs/a.json' })).json()).toEqual({ list: [1, 2, 3], keep: true, first: 1 });
  });

  it('PATCH applies an RFC 7396 merge patch: objects merge, null removes, anything else replaces', async () => {
    const { send } = await projects.start();
    await send(put({ a: 'b', c: { d: 'e', f: 'g' }, list: [1] }));
    const patched = await send({
      method: 'PATCH',
      path: '/v1/files/docs/a.json',
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ a: 'z', c: { f: null, h: 1 }, list: [2] }),
    });
    expect(patched.status, patched.text).toBe(200);
    expect((await send({ path: '/v1/files/docs/a.json' })).json()).toEqual({ a: 'z', c: { d: 'e', h: 1 }, list: [2] });
  });

  it('PATCH honours If-Match', async () => {
    const { send } = await projects.start();
    const first = await send(put({ n: 1 }));
    await send(put({ n: 2 }));
    const stale = await send({ method: 'PATCH', path: '/v1/files/docs/a.json', headers: { 'Content-Type': 'application/merge-patch+json', 'If-Match': first.headers.etag! }, body: '{"n":3}' });
    expect(stale.status).toBe(412);
    expect((await send({ path: '/v1/files/docs/a.json' })).json()).toEqual({ n: 2 });
  });
});
