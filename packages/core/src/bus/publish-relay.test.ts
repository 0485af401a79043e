import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine/create-engine.js';
import type { JsonObject } from '../contract.js';
import { ErrorCodes } from '../errors.js';
import { tempDir } from '../__tests__/helpers.js';
import { InstrumentedFileSystem } from '../testing/instrumented-file-system.js';
import { stateDirFor } from '../store/file-layout.js';

async function engineIn(dir: string) {
  return createEngine({ cwd: dir, config: false, logger: { level: 'silent' } });
}

async function relaySocketOf(file: string): Promise<string> {
  const names = (await readdir(stateDirFor(file))).filter((n) => n.endsWith('.relay'));
  expect(names).toHaveLength(1);
  return path.join(stateDirFor(file), names[0]!);
}

/** The relay socket a bus with default options uses for `file`, found by letting one bind it. */
async function socketPathFor(dir: string, file: string): Promise<string> {
  const engine = await engineIn(dir);
  await engine.bus(file).publish({ type: 'seed', source: 'setup' });
  const socketPath = await relaySocketOf(file);
  await engine.close();
  return socketPath;
}

interface Received {
  socket: net.Socket;
  request: { n: number; events: Array<{ id: string; type: string; source: string; payload: unknown }> };
}

/** A stand-in leader: accepts one request and hands it to the test, which decides what happens. */
function fakeLeader(socketPath: string): Promise<{ server: net.Server; received: Promise<Received> }> {
  return new Promise((resolve) => {
    let deliver!: (r: Received) => void;
    const received = new Promise<Received>((r) => (deliver = r));
    const server = net.createServer((socket) => {
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('\n')) deliver({ socket, request: JSON.parse(text.slice(0, text.indexOf('\n'))) });
      });
    });
    server.listen(socketPath, () => resolve({ server, received }));
  });
}

/** A publisher whose publish is in flight to a stand-in leader, which has received it. */
async function handedOverToAFakeLeader() {
  const dir = await tempDir();
  const file = path.join(dir, 'shared_context.json');
  const { server, received } = await fakeLeader(await socketPathFor(dir, file));
  const publisher = await engineIn(dir);
  const publishing = publisher.bus(file).publish({ type: 'handed-over', source: 'agent-a', payload: { n: 1 } });
  return { dir, file, server, publisher, publishing, ...(await received) };
}

const eventsOf = async (file: string) => (JSON.parse(await readFile(file, 'utf8')) as { events: JsonObject[] }).events;

/** A stand-in publisher: sends relayed publishes to a leader's socket and collects its answers. */
type RelayAnswer = { n: number; events?: JsonObject[]; local?: true; resigned?: true };

function fakePublisher(socketPath: string) {
  const socket = net.connect(socketPath);
  const answers: RelayAnswer[] = [];
  const waiting = new Map<number, (answer: RelayAnswer | undefined) => void>();
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    text += chunk;
    const lines = text.split('\n');
    text = lines.pop()!;
    for (const answer of lines.map((l) => JSON.parse(l) as RelayAnswer)) {
      answers.push(answer);
      waiting.get(answer.n)?.(answer);
    }
  });
  // Writing to a leader that has just hung up fails; the answer it never sent says so.
  socket.on('error', () => undefined);
  socket.on('close', () => {
    for (const settle of waiting.values()) settle(undefined);
  });
  let next = 1;
  return {
    socket,
    answers,
    /** Sends these events as one publish; resolves with the leader's answer to it, or undefined if the leader hangs up first. */
    send(events: JsonObject[]): Promise<RelayAnswer | undefined> {
      const n = next++;
      socket.write(`${JSON.stringify({ n, events })}\n`);
      return new Promise((resolve) => waiting.set(n, resolve));
    },
    /** Publishes one event of `type` with an id of its own. */
    publish(type: string) {
      const id = `0190d6a8-0000-7000-8000-${String(next).padStart(12, '0')}`;
      return this.send([{ id, type, source: 'agent-b', payload: null }]);
    },
  };
}

/**
 * A leader on a new file that holds its commits for its publishers as long as need be, with a
 * stand-in publisher connected to it, and how many times it has replaced the file (one per commit).
 */
async function leaderHoldingCommits(handOffMs?: number) {
  const dir = await tempDir();
  const file = path.join(dir, 'shared_context.json');
  const traced = new InstrumentedFileSystem();
  const leader = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, fileSystem: traced.fs });
  const bus = leader.bus(file, { relay: { idleMs: 60_000, joinWaitMs: 60_000, handOffMs } });
  await bus.publish({ type: 'seed', source: 'leader' });
  const other = fakePublisher(await relaySocketOf(file));
  const commits = () => traced.calls.filter((c) => c.op === 'rename' && c.args[1] === file).length;
  return { file, leader, bus, other, commits };
}

describe('publish relay between processes', () => {
  it('a leader that dies after committing a relayed publish, without answering: the publisher finds it in the file and does not commit it again', async () => {
    const { dir, file, server, publisher, publishing, socket, request } = await handedOverToAFakeLeader();
    const [event] = request.events;
    // The leader commits it (as the real one would, with the id the publisher chose), then dies.
    const leader = await engineIn(dir);
    await leader.update<{ events: JsonObject[] }>(file, (doc) => {
      doc.events.push({ id: event!.id, seq: 2, type: event!.type, source: event!.source, timestamp: new Date().toISOString(), payload: { n: 1 } });
    });
    await leader.close();
    socket.destroy();
    server.close();
    const published = await publishing;
    expect(published).toMatchObject({ id: event!.id, seq: 2, type: 'handed-over' });
    const events = await eventsOf(file);
    expect(events.filter((e) => e.id === event!.id)).toHaveLength(1);
    expect(events.map((e) => e.seq)).toEqual([1, 2]);
    await publisher.close();
  });

  it('a leader that dies before committing a relayed publish: the publisher commits it itself, once', async () => {
    const { file, server, publisher, publishing, socket, request } = await handedOverToAFakeLeader();
    socket.destroy();
    server.close();
    const published = await publishing;
    expect(published).toMatchObject({ id: request.events[0]!.id, seq: 2, source: 'agent-a', payload: { n: 1 } });
    expect((await eventsOf(file)).map((e) => e.id)).toEqual([expect.any(String), request.events[0]!.id]);
    await publisher.close();
  });

  it('holds its next commit for a publisher it has just answered, so publishers in a loop share one commit per round', async () => {
    const { file, leader, bus, other, commits } = await leaderHoldingCommits();
    expect((await other.publish('first'))?.events).toHaveLength(1);
    const before = commits();
    const own = bus.publish({ type: 'own', source: 'leader' });
    // Long enough for the leader to commit its own publish alone, were it not waiting.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answer = await other.publish('second');
    const ownEvent = await own;
    expect(commits() - before).toBe(1);
    expect([ownEvent.seq, answer?.events?.[0]?.seq].sort()).toEqual([3, 4]);
    expect((await eventsOf(file)).map((e) => e.type)).toEqual(['seed', 'first', expect.any(String), expect.any(String)]);
    other.socket.destroy();
    await leader.close();
  });

  it('holds its next commit for a publisher that has just connected, which is about to hand over its publish', async () => {
    const { leader, bus, other, commits } = await leaderHoldingCommits();
    await new Promise((resolve) => other.socket.once('connect', resolve));
    // The leader accepts it in the same turn of the event loop at the latest.
    for (let i = 0; i < 2; i++) await new Promise(setImmediate);
    const before = commits();
    const own = bus.publish({ type: 'own', source: 'leader' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await other.publish('first');
    await own;
    expect(commits() - before).toBe(1);
    other.socket.destroy();
    await leader.close();
  });

  it('a leader that closes first takes the next publish of a publisher it has just answered, sparing it a hand-over', async () => {
    const { file, leader, bus, other } = await leaderHoldingCommits();
    await other.publish('first');
    const closing = leader.close();
    // Its own new publishes it refuses, as a closed engine does.
    await expect(bus.publish({ type: 'too-late', source: 'leader' })).rejects.toMatchObject({ code: ErrorCodes.ENGINE_CLOSED });
    const answer = await other.publish('last');
    expect(answer).toMatchObject({ events: [expect.objectContaining({ type: 'last', seq: 3 })] });
    await closing;
    expect((await eventsOf(file)).map((e) => e.type)).toEqual(['seed', 'first', 'last']);
    other.socket.destroy();
  });

  it('a leader that closes keeps committing for a publisher that keeps handing over its next publish, and hands over once it stops', async () => {
    const { file, leader, other } = await leaderHoldingCommits(60_000);
    await other.publish('first');
    let closed = false;
    const closing = leader.close().then(() => (closed = true));
    for (const type of ['a', 'b', 'c']) expect(await other.publish(type)).toMatchObject({ events: [expect.objectContaining({ type })] });
    expect(closed).toBe(false);
    // It stops: the round it was held for never comes, and the leader stops leading.
    other.socket.destroy();
    await closing;
    expect((await eventsOf(file)).map((e) => e.type)).toEqual(['seed', 'first', 'a', 'b', 'c']);
  });

  it('a leader that closes hands over after handOffMs, however long its publishers go on', async () => {
    const { leader, other } = await leaderHoldingCommits(50);
    await other.publish('first');
    const closing = leader.close();
    let committed = 0;
    // A publisher that would go on for longer than any hand-off: it is told to look for the
    // next leader, or hung up on, once the leader stops leading.
    for (let i = 0; i < 100_000; i++) {
      const answer = await other.publish('more');
      if (!answer?.events) {
        expect(answer === undefined || (answer.local && answer.resigned)).toBe(true);
        break;
      }
      committed++;
    }
    await closing;
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(100_000);
    other.socket.destroy();
  });

  it('does not hold a commit for a publisher that has hung up', async () => {
    const { leader, bus, other } = await leaderHoldingCommits();
    await other.publish('first');
    const own = bus.publish({ type: 'own', source: 'leader' });
    other.socket.destroy();
    expect(await own).toMatchObject({ seq: 3, type: 'own' });
    await leader.close();
  });

  it('a leader answers a relayed publish with its committed events, and answers one whose id is already in the file without appending it again', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'shared_context.json');
    const leader = await engineIn(dir);
    const first = await leader.bus(file, { relay: { idleMs: 60_000 } }).publish({ type: 'seed', source: 'leader' });
    const other = fakePublisher(await relaySocketOf(file));
    const id = '0190d6a8-0000-7000-8000-000000000001';
    const relayed = { id, type: 'from-afar', source: 'agent-b', payload: { x: 1 } };
    const answers = [await other.send([relayed]), await other.send([relayed])];
    expect(answers[0]).toEqual({ n: 1, events: [expect.objectContaining({ id, seq: first.seq + 1, type: 'from-afar', source: 'agent-b', payload: { x: 1 } })] });
    expect(answers[1]).toEqual({ ...answers[0], n: 2 });
    expect((await eventsOf(file)).map((e) => e.seq)).toEqual([1, 2]);
    other.socket.destroy();
    await leader.close();
  });

  it('a relayed publish the leader refuses fails at its publisher with the leader\'s typed error, and nothing is committed', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'shared_context.json');
    const leader = await engineIn(dir);
    await leader.bus(file, { relay: { idleMs: 60_000 } }).publish({ type: 'seed', source: 'leader' });
    const socket = net.connect(await relaySocketOf(file));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.write(`${JSON.stringify({ n: 7, events: [{ id: 'not-a-uuid', type: 'x', source: 'y', payload: null }] })}\n`);
    await expect.poll(() => text.includes('\n')).toBe(true);
    expect(JSON.parse(text)).toMatchObject({ n: 7, error: { code: ErrorCodes.VALIDATION_FAILED } });
    const before = await readFile(file);
    // Garbage closes that connection only; the leader goes on serving.
    socket.write('{not json\n');
    await expect.poll(() => socket.destroyed).toBe(true);
    const publisher = await engineIn(dir);
    const event = await publisher.bus(file).publish({ type: 'after', source: 'agent-c' });
    expect(event.seq).toBe(2);
    expect((await eventsOf(file)).length).toBe(2);
    expect(before.length).toBeGreaterThan(0);
    await publisher.close();
    await leader.close();
  });

  it('an engine whose publishes are relayed commits none itself: the leader commits them, every event once, in order', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'shared_context.json');
    const leader = await engineIn(dir);
    await leader.bus(file, { relay: { idleMs: 60_000 } }).publish({ type: 'seed', source: 'leader' });
    const traced = new InstrumentedFileSystem();
    const other = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, fileSystem: traced.fs });
    const bus = other.bus(file);
    const published = [];
    for (let n = 0; n < 20; n++) published.push(await bus.publish({ type: 'step', source: 'other', payload: { n } }));
    const events = await eventsOf(file);
    expect(events.filter((e) => e.source === 'other').map((e) => (e.payload as { n: number }).n)).toEqual([...Array(20).keys()]);
    expect(published.map((e) => e.seq)).toEqual(events.slice(1).map((e) => e.seq));
    expect(traced.calls.filter((c) => c.op === 'rename' || c.op === 'mkdir' && c.path?.endsWith('.lock'))).toEqual([]);
    // It read the file once, to lead from should the leader go: not for each publish.
    expect(traced.calls.filter((c) => c.op === 'readFile' && c.path === file)).toHaveLength(1);
    await other.close();
    await leader.close();
  });
});

describe('a leader that closes while others publish', () => {
  it('sends its publishers to the next leader: none of their publishes fails, each lands once, in order', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'shared_context.json');
    const leader = await engineIn(dir);
    await leader.bus(file, { relay: { idleMs: 60_000 } }).publish({ type: 'seed', source: 'leader' });
    const others = await Promise.all([engineIn(dir), engineIn(dir)]);
    const loops = others.map(async (engine, k) => {
      const bus = engine.bus(file);
      for (let n = 0; n < 40; n++) await bus.publish({ type: 'step', source: `other${k}`, payload: { n } });
    });
    // Close the leader while both loops are mid-way, their publishes in flight to it.
    await expect.poll(async () => (await eventsOf(file)).length, { timeout: 10_000 }).toBeGreaterThan(10);
    await leader.close();
    await Promise.all(loops);
    const events = await eventsOf(file);
    for (const k of [0, 1]) expect(events.filter((e) => e.source === `other${k}`).map((e) => (e.payload as { n: number }).n)).toEqual([...Array(40).keys()]);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    await Promise.all(others.map((e) => e.close()));
  });
});
