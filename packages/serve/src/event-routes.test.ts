import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LineReader, ServeProjects, type ServeProject } from './__tests__/serve-project.js';

const projects = new ServeProjects();
afterEach(() => projects.cleanup());

interface Event {
  id: string;
  seq: number;
  type: string;
  source: string;
  payload: unknown;
}

const publish = (project: ServeProject, body: unknown, headers: Record<string, string> = {}) => project.send({ method: 'POST', path: '/v1/events/ctx.json', body: JSON.stringify(body), headers });
const seqsIn = async (project: ServeProject): Promise<number[]> => (JSON.parse(await readFile(path.join(project.dir, 'ctx.json'), 'utf8')) as { events: Event[] }).events.map((e) => e.seq);

/** Counts the engine's commits of the project's files from now on. */
function commitCounter(project: ServeProject): { count: () => number } {
  let commits = 0;
  project.server.engine.on('commit', () => (commits += 1));
  return { count: () => commits };
}

/** A client on one kept-alive connection, as `@prevention/client` keeps one. */
function keptAliveClient(project: ServeProject) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const publishOne = (type: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ socketPath: project.server.socketPath, method: 'POST', path: '/v1/events/ctx.json', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ type, source: 'loop' }));
    });
  return { publish: publishOne, close: () => agent.destroy() };
}

describe('POST /v1/events/{file}', () => {
  it('publishes one event (201, the event) or an array in one commit (201, the events)', async () => {
    const project = await projects.start();
    const commits = commitCounter(project);
    const one = await publish(project, { type: 'task.created', source: 'planner', payload: { id: 7 }, correlationId: 'c-1' });
    expect(one.status, one.text).toBe(201);
    expect(one.json()).toMatchObject({ seq: 1, type: 'task.created', source: 'planner', payload: { id: 7 }, correlationId: 'c-1', id: expect.any(String), timestamp: expect.any(String) });
    const many = await publish(project, [{ type: 'a', source: 's' }, { type: 'b', source: 's' }]);
    expect(many.status).toBe(201);
    expect((many.json() as Event[]).map((e) => [e.seq, e.type])).toEqual([[2, 'a'], [3, 'b']]);
    expect(commits.count()).toBe(2);
    expect(await seqsIn(project)).toEqual([1, 2, 3]);
  });

  it('holds a publish for the clients it has just answered, so clients publishing in a loop share one commit', async () => {
    const project = await projects.start(undefined, { joinWaitMs: 60_000 });
    const [a, b] = [keptAliveClient(project), keptAliveClient(project)];
    expect(await a.publish('first')).toBe(201);
    const commits = commitCounter(project);
    const held = b.publish('from-b');
    // Long enough for b's publish to commit alone, were it not held for a.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await a.publish('second')).toBe(201);
    expect(await held).toBe(201);
    expect(commits.count()).toBe(1);
    expect(await seqsIn(project)).toEqual([1, 2, 3]);
    a.close();
    b.close();
  });

  it('does not hold a publish for a client that has hung up', async () => {
    const project = await projects.start(undefined, { joinWaitMs: 60_000 });
    const [a, b] = [keptAliveClient(project), keptAliveClient(project)];
    expect(await a.publish('first')).toBe(201);
    const held = b.publish('from-b');
    a.close();
    expect(await held).toBe(201);
    b.close();
  });

  it('a retry with the same Idempotency-Key gets the first answer and commits nothing', async () => {
    const project = await projects.start();
    const commits = commitCounter(project);
    const body = { type: 'paid', source: 'billing', payload: { amount: 5 } };
    const first = await publish(project, body, { 'Idempotency-Key': 'k-1' });
    const retry = await publish(project, body, { 'Idempotency-Key': 'k-1' });
    expect(retry.status).toBe(201);
    expect(retry.json()).toEqual(first.json());
    const concurrent = await Promise.all([1, 2, 3].map(() => publish(project, body, { 'Idempotency-Key': 'k-2' })));
    expect(new Set(concurrent.map((answer) => (answer.json() as Event).id)).size).toBe(1);
    expect(await seqsIn(project)).toEqual([1, 2]);
    expect(commits.count()).toBe(2);
    const reused = await publish(project, { ...body, payload: { amount: 6 } }, { 'Idempotency-Key': 'k-1' });
    expect(reused.status).toBe(422);
    expect(await seqsIn(project)).toEqual([1, 2]);
  });

  it('concurrent publishes from many connections share group commits: fewer commits than publishes, every event once', async () => {
    const project = await projects.start();
    await publish(project, { type: 'warm-up', source: 's' });
    const commits = commitCounter(project);
    const count = 40;
    const answers = await Promise.all(Array.from({ length: count }, (_, i) => publish(project, { type: 't', source: `client-${i}`, payload: i })));
    expect(answers.every((a) => a.status === 201)).toBe(true);
    expect(commits.count()).toBeLessThan(count);
    const seqs = answers.map((a) => (a.json() as Event).seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: count }, (_, i) => i + 2));
    expect(await seqsIn(project)).toEqual(Array.from({ length: count + 1 }, (_, i) => i + 1));
  });
});

describe('GET /v1/events/{file}', () => {
  it('lists events filtered by since, type, source and limit, with the newest seq in Prevention-Last-Seq', async () => {
    const project = await projects.start();
    await publish(project, [
      { type: 'a', source: 'x' },
      { type: 'b', source: 'y' },
      { type: 'a', source: 'y' },
      { type: 'c', source: 'x' },
    ]);
    const list = async (query: string): Promise<number[]> => ((await project.send({ path: `/v1/events/ctx.json${query}` })).json() as Event[]).map((e) => e.seq);
    expect(await list('')).toEqual([1, 2, 3, 4]);
    expect(await list('?since=2')).toEqual([3, 4]);
    expect(await list('?type=a&type=c')).toEqual([1, 3, 4]);
    expect(await list('?source=y')).toEqual([2, 3]);
    expect(await list('?limit=2')).toEqual([1, 2]);
    expect((await project.send({ path: '/v1/events/ctx.json?type=b' })).headers['prevention-last-seq']).toBe('4');
  });

  it('follows as NDJSON: every event once, in order, and again from `since` after a reconnection', async () => {
    const project = await projects.start();
    await publish(project, [{ type: 'old', source: 's' }, { type: 'old', source: 's' }]);
    const first = await project.open({ path: '/v1/events/ctx.json?follow=1&since=0', headers: { Accept: 'application/x-ndjson' } });
    expect(first.headers['content-type']).toBe('application/x-ndjson');
    const lines = new LineReader(first);
    await lines.until((l) => l.filter(Boolean).length === 2);
    await Promise.all([publish(project, { type: 'new', source: 'a' }), publish(project, { type: 'new', source: 'b' })]);
    await lines.until((l) => l.filter(Boolean).length === 4);
    const seen = lines.lines.filter(Boolean).map((line) => (JSON.parse(line) as Event).seq);
    expect(seen).toEqual([1, 2, 3, 4]);
    first.destroy();

    await publish(project, { type: 'while-away', source: 's' });
    const again = new LineReader(await project.open({ path: `/v1/events/ctx.json?follow=1&since=${seen.at(-1)}` }));
    await publish(project, { type: 'after', source: 's' });
    await again.until((l) => l.filter(Boolean).length === 2);
    expect(again.lines.filter(Boolean).map((line) => [(JSON.parse(line) as Event).seq, (JSON.parse(line) as Event).type])).toEqual([
      [5, 'while-away'],
      [6, 'after'],
    ]);
  });

  it('without since, follows only what is published after the request; type filters apply', async () => {
    const project = await projects.start();
    await publish(project, { type: 'before', source: 's' });
    const res = await project.open({ path: '/v1/events/ctx.json?follow=1&type=wanted' });
    const lines = new LineReader(res);
    await publish(project, [{ type: 'other', source: 's' }, { type: 'wanted', source: 's' }]);
    await lines.until((l) => l.filter(Boolean).length === 1);
    expect((JSON.parse(lines.lines.find(Boolean)!) as Event).seq).toBe(3);
    res.destroy();
  });

  it('follows as SSE (id = seq, event = type) and resumes from Last-Event-ID', async () => {
    const project = await projects.start();
    await publish(project, [{ type: 'a', source: 's' }, { type: 'b', source: 's' }, { type: 'c', source: 's' }]);
    const res = await project.open({ path: '/v1/events/ctx.json?follow=1', headers: { Accept: 'text/event-stream', 'Last-Event-ID': '1' } });
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const lines = new LineReader(res);
    await lines.until((l) => l.filter((line) => line.startsWith('id: ')).length === 2);
    await publish(project, { type: 'd', source: 's' });
    await lines.until((l) => l.filter((line) => line.startsWith('id: ')).length === 3);
    expect(lines.lines.filter((line) => line.startsWith('id: '))).toEqual(['id: 2', 'id: 3', 'id: 4']);
    expect(lines.lines.filter((line) => line.startsWith('event: '))).toEqual(['event: b', 'event: c', 'event: d']);
    const data = lines.lines.filter((line) => line.startsWith('data: ')).map((line) => JSON.parse(line.slice(6)) as Event);
    expect(data.map((e) => e.seq)).toEqual([2, 3, 4]);
    res.destroy();

    const resumed = new LineReader(await project.open({ path: '/v1/events/ctx.json?follow=1', headers: { Accept: 'text/event-stream', 'Last-Event-ID': '4' } }));
    await publish(project, { type: 'e', source: 's' });
    await resumed.until((l) => l.some((line) => line.startsWith('id: ')));
    expect(resumed.lines.filter((line) => line.startsWith('id: '))).toEqual(['id: 5']);
  });

  it('sends heartbeats on a quiet stream: a blank NDJSON line, an SSE comment', async () => {
    const project = await projects.start(undefined, { heartbeatMs: 20 });
    const ndjson = new LineReader(await project.open({ path: '/v1/events/ctx.json?follow=1' }));
    await ndjson.until((l) => l.includes(''));
    const sse = new LineReader(await project.open({ path: '/v1/events/ctx.json?follow=1', headers: { Accept: 'text/event-stream' } }));
    await sse.until((l) => l.includes(': heartbeat'));
  });

  it('streams end when the service stops', async () => {
    const project = await projects.start();
    const lines = new LineReader(await project.open({ path: '/v1/events/ctx.json?follow=1' }));
    await project.server.close();
    await lines.until(() => lines.ended);
  });
});

describe('DELETE /v1/events/{file}', () => {
  it('clears the events through the pipeline and keeps the rest of the file', async () => {
    const project = await projects.start();
    await project.send({ method: 'PUT', path: '/v1/files/ctx.json', body: JSON.stringify({ events: [], owner: 'team' }) });
    await publish(project, [{ type: 'a', source: 's' }, { type: 'b', source: 's' }]);
    const cleared = await project.send({ method: 'DELETE', path: '/v1/events/ctx.json' });
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.json()).toMatchObject({ sha256: expect.any(String) });
    expect(JSON.parse(await readFile(path.join(project.dir, 'ctx.json'), 'utf8'))).toMatchObject({ events: [], owner: 'team' });
  });
});
