import { mkdir, readFile, rename, symlink, unlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { TempDirs } from '@prevention/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ServeProjects, type Answer, type RawRequest, type ServeProject } from './__tests__/serve-project.js';

const projects = new ServeProjects();
const outside = new TempDirs();
afterEach(async () => {
  await projects.cleanup();
  await outside.removeAll();
});

const LIMIT = 4_096;
const committed = JSON.stringify({ events: [], note: 'committed before the refusal' });

/**
 * A project with a committed file, a file outside the project, and links leading to it: one
 * from a covered name (`docs/escape.json`), one as a covered file's parent (`linked/`).
 */
async function hostileProject(): Promise<{ project: ServeProject; target: string }> {
  const project = await projects.start([{ path: 'ctx.json' }, { path: 'docs/*.json' }, { path: 'linked/x.json' }], { maxBodyBytes: LIMIT });
  const elsewhere = await outside.make('prevention-outside-');
  const target = path.join(elsewhere, 'x.json');
  await writeFile(target, '{"outside":true}');
  await mkdir(path.join(project.dir, 'docs'));
  await symlink(target, path.join(project.dir, 'docs', 'escape.json'));
  await symlink(elsewhere, path.join(project.dir, 'linked'));
  const first = await project.send({ method: 'PUT', path: '/v1/files/ctx.json', body: committed });
  expect(first.status).toBe(200);
  return { project, target };
}

/** Sends a body in chunks without a Content-Length, as a client streaming it would. */
function sendChunked(socketPath: string, pathname: string, chunks: number, size: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: 'PUT', path: pathname, headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    // The server may answer and close before every chunk is sent: that is the point.
    req.on('error', () => undefined);
    req.on('close', () => undefined);
    req.write('{"pad":"');
    for (let i = 0; i < chunks; i++) req.write('x'.repeat(size));
    req.end('"}');
    req.once('error', reject);
  });
}

const refusals: Array<[string, RawRequest, number, string]> = [
  ['garbage JSON', { method: 'PUT', path: '/v1/files/ctx.json', body: '{"events": [' }, 400, 'PREVENTION_BAD_REQUEST'],
  ['a body that is not UTF-8', { method: 'PUT', path: '/v1/files/ctx.json', body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }, 400, 'PREVENTION_BAD_REQUEST'],
  ['a body over the limit', { method: 'PUT', path: '/v1/files/ctx.json', body: JSON.stringify({ pad: 'x'.repeat(LIMIT) }) }, 413, 'PREVENTION_BODY_TOO_LARGE'],
  ['a publish over the limit', { method: 'POST', path: '/v1/events/ctx.json', body: JSON.stringify({ type: 't', source: 's', payload: 'x'.repeat(LIMIT) }) }, 413, 'PREVENTION_BODY_TOO_LARGE'],
  ['a .. segment', { method: 'PUT', path: '/v1/files/docs/../ctx.json', body: '{}' }, 400, 'PREVENTION_UNSAFE_PATH'],
  ['a .. segment leaving the root', { method: 'PUT', path: '/v1/files/../outside.json', body: '{}' }, 400, 'PREVENTION_UNSAFE_PATH'],
  ['an encoded .. segment', { method: 'PUT', path: '/v1/files/%2e%2e/outside.json', body: '{}' }, 400, 'PREVENTION_UNSAFE_PATH'],
  ['an absolute path', { method: 'PUT', path: '/v1/files//etc/passwd', body: '{}' }, 400, 'PREVENTION_UNSAFE_PATH'],
  ['an encoded absolute path', { method: 'PUT', path: '/v1/files/%2Fetc%2Fpasswd', body: '{}' }, 400, 'PREVENTION_UNSAFE_PATH'],
  ['a NUL byte', { method: 'PUT', path: '/v1/files/docs/a.json%00.txt', body: '{}' }, 400, 'PREVENTION_UNSAFE_PATH'],
  ['a covered name that is a link leading outside', { method: 'PUT', path: '/v1/files/docs/escape.json', body: '{}' }, 400, 'PREVENTION_UNSAFE_PATH'],
  ['a covered file under a linked directory leading outside', { method: 'PUT', path: '/v1/files/linked/x.json', body: '{}' }, 400, 'PREVENTION_UNSAFE_PATH'],
  ['a read through a covered name that is a link leading outside', { method: 'GET', path: '/v1/files/docs/escape.json' }, 400, 'PREVENTION_UNSAFE_PATH'],
  ['a read under a linked directory leading outside', { method: 'GET', path: '/v1/files/linked/x.json' }, 400, 'PREVENTION_UNSAFE_PATH'],
  ['a publish under a linked directory leading outside', { method: 'POST', path: '/v1/events/linked/x.json', body: '{"type":"t","source":"s"}' }, 400, 'PREVENTION_UNSAFE_PATH'],
  ['a file the config does not cover', { method: 'PUT', path: '/v1/files/other.json', body: '{}' }, 404, 'PREVENTION_UNKNOWN_FILE'],
  ['a publish to a file the config does not cover', { method: 'POST', path: '/v1/events/other.json', body: '{"type":"t","source":"s"}' }, 404, 'PREVENTION_UNKNOWN_FILE'],
  ['a stale If-Match', { method: 'PUT', path: '/v1/files/ctx.json', body: '{}', headers: { 'If-Match': `"${'0'.repeat(64)}"` } }, 412, 'PREVENTION_PRECONDITION_FAILED'],
  ['If-None-Match: * on an existing file', { method: 'PUT', path: '/v1/files/ctx.json', body: '{}', headers: { 'If-None-Match': '*' } }, 412, 'PREVENTION_PRECONDITION_FAILED'],
  ['a malformed If-Match', { method: 'PUT', path: '/v1/files/ctx.json', body: '{}', headers: { 'If-Match': 'W/"abc"' } }, 400, 'PREVENTION_BAD_REQUEST'],
  ['an unsupported content type', { method: 'PUT', path: '/v1/files/ctx.json', body: '{}', headers: { 'Content-Type': 'text/plain' } }, 415, 'PREVENTION_BAD_REQUEST'],
  ['a JSON Patch that is not an array', { method: 'PATCH', path: '/v1/files/ctx.json', body: '{"op":"add"}', headers: { 'Content-Type': 'application/json-patch+json' } }, 400, 'PREVENTION_BAD_REQUEST'],
  ['a malformed JSON Patch operation', { method: 'PATCH', path: '/v1/files/ctx.json', body: '[{"op":"jump","path":"/a"}]', headers: { 'Content-Type': 'application/json-patch+json' } }, 400, 'PREVENTION_BAD_REQUEST'],
  ['a JSON Patch whose test fails', { method: 'PATCH', path: '/v1/files/ctx.json', body: '[{"op":"remove","path":"/note"},{"op":"test","path":"/events","value":[1]}]', headers: { 'Content-Type': 'application/json-patch+json' } }, 422, 'PREVENTION_UPDATER_FAILED'],
  ['a JSON Patch path not in the document', { method: 'PATCH', path: '/v1/files/ctx.json', body: '[{"op":"replace","path":"/missing/x","value":1}]', headers: { 'Content-Type': 'application/json-patch+json' } }, 422, 'PREVENTION_UPDATER_FAILED'],
  ['a merge patch adding a prototype-polluting key', { method: 'PATCH', path: '/v1/files/ctx.json', body: '{"__proto__":{"polluted":true}}', headers: { 'Content-Type': 'application/merge-patch+json' } }, 422, 'PREVENTION_VALIDATION_FAILED'],
  ['an event that is not an object', { method: 'POST', path: '/v1/events/ctx.json', body: '[{"type":"t","source":"s"}, 7]' }, 400, 'PREVENTION_BAD_REQUEST'],
  ['an event without a type', { method: 'POST', path: '/v1/events/ctx.json', body: '{"source":"s"}' }, 422, 'PREVENTION_VALIDATION_FAILED'],
  ['a bad since', { method: 'GET', path: '/v1/events/ctx.json?since=-1' }, 400, 'PREVENTION_BAD_REQUEST'],
  ['an unknown endpoint', { method: 'GET', path: '/v1/nothing' }, 404, 'PREVENTION_BAD_REQUEST'],
  ['a method the endpoint lacks', { method: 'DELETE', path: '/v1/files/ctx.json' }, 405, 'PREVENTION_BAD_REQUEST'],
];

describe('a refused request changes nothing', () => {
  it.each(refusals)('%s: typed $2, every file byte-for-byte unchanged, no temp file or lock left', async (_name, raw, status, code) => {
    const { project, target } = await hostileProject();
    const before = await project.snapshot();
    const outsideBefore = await readFile(target);
    const answer = await project.send(raw);
    expect(answer.status, answer.text).toBe(status);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.json()).toMatchObject({ error: { code, message: expect.any(String) } });
    expect(await project.snapshot()).toEqual(before);
    expect(await readFile(target)).toEqual(outsideBefore);
    // The service still answers, and the committed file reads back as it was.
    expect((await project.send({ path: '/v1/files/ctx.json' })).json()).toEqual(JSON.parse(committed));
  });

  it('a link planted after a first request (at the file, or as its directory) is refused all the same, and nothing outside changes', async () => {
    const project = await projects.start([{ path: 'ctx.json' }, { path: 'sub/x.json' }]);
    const elsewhere = await outside.make('prevention-outside-');
    const target = path.join(elsewhere, 'x.json');
    const ctxTarget = path.join(elsewhere, 'ctx.json');
    await writeFile(target, '{"outside":true}');
    await writeFile(ctxTarget, '{"outside":true}');
    // First requests on both names: each path is now one the service has resolved before.
    for (const file of ['ctx.json', 'sub/x.json']) {
      expect((await project.send({ method: 'PUT', path: `/v1/files/${file}`, body: '{"events":[]}' })).status).toBe(200);
      expect((await project.send({ method: 'POST', path: `/v1/events/${file}`, body: '{"type":"t","source":"s"}' })).status).toBe(201);
      expect((await project.send({ path: `/v1/files/${file}` })).status).toBe(200);
    }
    await unlink(path.join(project.dir, 'ctx.json'));
    await symlink(ctxTarget, path.join(project.dir, 'ctx.json'));
    await rename(path.join(project.dir, 'sub'), path.join(project.dir, 'sub.moved'));
    await symlink(elsewhere, path.join(project.dir, 'sub'));
    const before = await project.snapshot();
    for (const file of ['ctx.json', 'sub/x.json']) {
      for (const raw of [
        { path: `/v1/files/${file}` },
        { method: 'PUT', path: `/v1/files/${file}`, body: '{"events":[]}' },
        { method: 'POST', path: `/v1/events/${file}`, body: '{"type":"t","source":"s"}' },
        { path: `/v1/events/${file}` },
      ]) {
        const answer = await project.send(raw);
        expect(answer.status, `${raw.method ?? 'GET'} ${raw.path}: ${answer.text}`).toBe(400);
        expect(answer.json()).toMatchObject({ error: { code: 'PREVENTION_UNSAFE_PATH' } });
      }
    }
    expect(await readFile(target, 'utf8')).toBe('{"outside":true}');
    expect(await readFile(ctxTarget, 'utf8')).toBe('{"outside":true}');
    expect(await project.snapshot()).toEqual(before);
  });

  it('a streamed body over the limit (no Content-Length) is cut off with 413', async () => {
    const { project } = await hostileProject();
    const before = await project.snapshot();
    const answer = await sendChunked(project.server.socketPath, '/v1/files/ctx.json', 16, 1_024);
    expect(answer.status).toBe(413);
    expect(answer.json()).toMatchObject({ error: { code: 'PREVENTION_BODY_TOO_LARGE' } });
    expect(await project.snapshot()).toEqual(before);
  });

});
