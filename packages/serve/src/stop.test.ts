import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ServeProjects, type ServeProject } from './__tests__/serve-project.js';

const projects = new ServeProjects();
afterEach(() => projects.cleanup());

/**
 * Starts a PUT whose headers the service has taken up (it answered 100 Continue) and whose body
 * is sent only when `send` is called. Resolves with the status, or the transport error.
 */
async function putInFlight(project: ServeProject, body: string): Promise<{ send: (part?: string) => void; answer: Promise<number | Error> }> {
  let handled!: () => void;
  const taken = new Promise<void>((resolve) => (handled = resolve));
  let req!: ReturnType<typeof request>;
  const answer = new Promise<number | Error>((resolve) => {
    req = request(
      { socketPath: project.server.socketPath, method: 'PUT', path: '/v1/files/ctx.json', agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), Expect: '100-continue' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', (err) => resolve(err));
    req.on('continue', handled);
    req.flushHeaders();
  });
  await taken;
  return { send: (part) => (part === undefined ? req.end(body) : req.write(part)), answer };
}

describe('stopping the service', () => {
  it('answers a request in flight before the engine closes', async () => {
    const project = await projects.start();
    const body = JSON.stringify({ events: [], late: true });
    const put = await putInFlight(project, body);
    const closed = project.server.close();
    put.send();
    expect(await put.answer).toBe(200);
    await closed;
    expect(JSON.parse(await readFile(path.join(project.dir, 'ctx.json'), 'utf8'))).toEqual({ events: [], late: true });
  });

  it('cuts a request whose body never comes once the drain time is up, committing nothing', async () => {
    const project = await projects.start(undefined, { drainTimeoutMs: 50 });
    const before = await project.snapshot();
    const put = await putInFlight(project, JSON.stringify({ never: 'finished' }));
    put.send('{"nev');
    await project.server.close();
    expect(await put.answer).toBeInstanceOf(Error);
    expect(await project.snapshot()).toEqual(before);
  });
});
