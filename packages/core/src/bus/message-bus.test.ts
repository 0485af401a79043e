import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { archivePathFor } from '../store/file-layout.js';
import type { BusEvent } from '../contract.js';
import { createEngine } from '../engine/create-engine.js';
import { ErrorCodes } from '../errors.js';
import { tempDir } from '../__tests__/helpers.js';
import { isTempNameFor } from '../store/file-layout.js';
import { InstrumentedFileSystem } from '../testing/instrumented-file-system.js';

async function setup(options: Parameters<Awaited<ReturnType<typeof createEngine>>['bus']>[1] = {}) {
  const dir = await tempDir();
  const file = path.join(dir, 'shared_context.json');
  const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' } });
  return { dir, file, engine, bus: engine.bus(file, options) };
}

const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('message bus', () => {
  it('publishes events with unique ids, increasing seq and ISO timestamps, in plain indented JSON', async () => {
    const { file, engine, bus } = await setup();
    const first = await bus.publish({ type: 'component_build_requested', source: 'architect', payload: { component: 'auth' } });
    const [second, third] = await bus.publishMany([
      { type: 'build_started', source: 'dev', payload: null, correlationId: first.id },
      { type: 'build_done', source: 'dev' },
    ]);
    expect(first).toMatchObject({ seq: 1, type: 'component_build_requested', source: 'architect', payload: { component: 'auth' } });
    expect(first.id).toMatch(UUIDV7);
    expect(new Date(first.timestamp).toISOString()).toBe(first.timestamp);
    expect([second!.seq, third!.seq]).toEqual([2, 3]);
    expect(second!.correlationId).toBe(first.id);
    expect(new Set([first.id, second!.id, third!.id]).size).toBe(3);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith('{\n  "version": 1,\n  "events": [\n    {\n')).toBe(true);
    expect(JSON.parse(text).events).toEqual([first, second, third]);
    expect(await bus.events({ since: 1, type: 'build_done' })).toEqual([third]);
    expect(await bus.events({ source: 'dev', limit: 1 })).toEqual([second]);
    await engine.close();
  });

  it('commits a publish made before close that waits for the commit before it', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'shared_context.json');
    const traced = new InstrumentedFileSystem();
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, fileSystem: traced.fs });
    const bus = engine.bus(file);
    await bus.publish({ type: 'first', source: 'a' });
    let waiting: Promise<BusEvent> | undefined;
    let closing: Promise<void> | undefined;
    // Once the next commit has taken its publish (it writes its temp file), one more is made,
    // and the engine is closed when that one waits for the commit.
    traced.inject({
      when: (call) => call.op === 'open' && call.path !== undefined && isTempNameFor(file, path.basename(call.path)),
      before: () => {
        waiting = bus.publish({ type: 'waiting', source: 'a' });
        setImmediate(() => (closing = engine.close()));
      },
    });
    await bus.publish({ type: 'taken', source: 'a' });
    await expect(waiting).resolves.toMatchObject({ seq: 3, type: 'waiting' });
    await closing;
    expect((JSON.parse(await readFile(file, 'utf8')) as { events: BusEvent[] }).events.map((e) => e.type)).toEqual(['first', 'taken', 'waiting']);
  });

  it('refuses bad payloads with a typed error, commits nothing for them, and leaves other publishers unaffected', async () => {
    const { file, engine, bus: plain } = await setup();
    const bus = engine.bus(file, { maxPayloadBytes: 100, schemas: { order: { type: 'object', required: ['qty'], properties: { qty: { type: 'integer' } } } } });
    await plain.publish({ type: 'hello', source: 'a' });
    const before = await readFile(file);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const outcomes = await Promise.allSettled([
      bus.publish({ type: 'x', source: 'a', payload: { n: 1n } }),
      bus.publish({ type: 'x', source: 'a', payload: cyclic }),
      bus.publish({ type: 'x', source: 'a', payload: 'x'.repeat(200) }),
      bus.publish({ type: 'order', source: 'a', payload: { qty: 'two' } }),
      bus.publish({ type: '', source: 'a' }),
      bus.publish({ type: 'order', source: 'a', payload: { qty: 2 } }),
    ]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code: string }).code : 'ok'))).toEqual([
      ...Array(5).fill(ErrorCodes.VALIDATION_FAILED),
      'ok',
    ]);
    expect((outcomes[3] as PromiseRejectedResult).reason.issues[0].path).toBe('/payload/qty');
    expect(await readFile(file)).not.toEqual(before);
    expect((await bus.events()).map((e) => e.type)).toEqual(['hello', 'order']);
    await engine.close();
  });

  it('archives before retention drops: 5,000 publishes with maxEvents 1,000', async () => {
    const { file, engine, bus } = await setup({ maxEvents: 1000 });
    for (let batch = 0; batch < 50; batch++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => bus.publish({ type: 't', source: 's', payload: batch * 100 + i + 1 })));
    }
    const live = JSON.parse(await readFile(file, 'utf8')) as { events: BusEvent[] };
    expect(live.events).toHaveLength(1000);
    expect(live.events[0]!.seq).toBe(4001);
    const archived = (await readFile(archivePathFor(bus.file), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as BusEvent);
    expect(archived.map((e) => e.seq)).toEqual(Array.from({ length: 4000 }, (_, i) => i + 1));
    const all = await bus.events({ since: 0 });
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(all.map((e) => e.payload)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect((await bus.events({ since: 3990, limit: 20 })).map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 3991 + i));
    await engine.close();
  });

  it('keeps non-event state keys and lets state be read and set through the pipeline', async () => {
    const { file, engine, bus } = await setup();
    await writeFile(file, JSON.stringify({ events: [], team: { lead: 'pm' }, notes: 'keep me' }, null, 2));
    await bus.publish({ type: 'a', source: 's' });
    await bus.state.set('phase', 'build');
    await bus.state.update((state) => {
      (state.team as { lead: string }).lead = 'architect';
    });
    expect(await bus.state.get('team')).toEqual({ lead: 'architect' });
    const doc = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(doc).toMatchObject({ notes: 'keep me', phase: 'build', team: { lead: 'architect' } });
    expect((doc.events as unknown[]).length).toBe(1);
    await expect(bus.state.set('events', [])).rejects.toMatchObject({ code: ErrorCodes.VALIDATION_FAILED });
    await engine.close();
  });

  it('publishes into a new file or a shared context, never into an existing object without events unless told to', async () => {
    const { file, engine, bus } = await setup();
    // A file that does not exist yet starts from its initial document (here `{}`) as a shared context.
    await bus.publish({ type: 'first', source: 's' });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1, events: [{ type: 'first' }] });

    const state = path.join(path.dirname(file), 'state.json');
    await writeFile(state, '{"counter": 3}');
    await expect(engine.bus(state).publish({ type: 'a', source: 's' })).rejects.toMatchObject({
      code: ErrorCodes.VALIDATION_FAILED,
      details: { reason: 'not-a-shared-context' },
      issues: [{ path: '/events' }],
    });
    expect(await readFile(state, 'utf8')).toBe('{"counter": 3}');
    await engine.bus(state, { addEvents: true }).publish({ type: 'a', source: 's' });
    expect(JSON.parse(await readFile(state, 'utf8'))).toMatchObject({ counter: 3, events: [{ seq: 1, type: 'a' }] });
    await engine.close();
  });

  it('delivers to subscribers in seq order, exactly once, including events committed while a handler is busy', async () => {
    const { engine, bus } = await setup({ pollMs: 10 });
    await bus.publish({ type: 'before', source: 's' });
    const seen: number[] = [];
    const also: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const stop = bus.subscribe(async (event) => {
      seen.push(event.seq);
      if (event.seq === 2) await gate;
    });
    const stopThrowing = bus.subscribe((event) => {
      also.push(event.seq);
      throw new Error('subscriber bug');
    });
    await new Promise((r) => setTimeout(r, 30));
    await bus.publish({ type: 'x', source: 's' });
    await Promise.all(Array.from({ length: 10 }, () => bus.publish({ type: 'x', source: 's' })));
    release();
    await expect.poll(() => seen.length, { timeout: 5000 }).toBe(11);
    expect(seen).toEqual(Array.from({ length: 11 }, (_, i) => i + 2));
    await expect.poll(() => also.length, { timeout: 5000 }).toBe(11);
    const replay: number[] = [];
    const stopReplay = bus.subscribe((e) => void replay.push(e.seq), { since: 5, types: ['x'] });
    await expect.poll(() => replay.length, { timeout: 5000 }).toBe(7);
    expect(replay).toEqual([6, 7, 8, 9, 10, 11, 12]);
    stop();
    stopThrowing();
    stopReplay();
    await engine.close();
  });
});

describe('subscribers', () => {
  it('run outside the lock, so a subscriber that publishes does not deadlock', async () => {
    const { engine, bus } = await setup({ pollMs: 10 });
    const replies: number[] = [];
    bus.subscribe(async (event) => {
      if (event.type !== 'question') return;
      const reply = await bus.publish({ type: 'answer', source: 'responder', payload: { to: event.seq } });
      replies.push(reply.seq);
    });
    await new Promise((r) => setTimeout(r, 30));
    await bus.publish({ type: 'question', source: 'asker' });
    await bus.publish({ type: 'question', source: 'asker' });
    await expect.poll(() => replies.length, { timeout: 5000 }).toBe(2);
    const questions = (await bus.events({ type: 'question' })).map((e) => ({ to: e.seq }));
    expect((await bus.events({ type: 'answer' })).map((e) => e.payload)).toEqual(questions);
    await engine.close();
  });
});

describe('shared context files from earlier buses', () => {
  const shapeA = {
    events: [
      { timestamp: '2025-08-02T23:19:01.723373', event: 'component_build_requested', data: { component: 'auth' } },
      { timestamp: '2025-08-02T23:20:11.000001', event: 'component_built', data: { component: 'auth', ok: true }, extra_key: 'kept' },
    ],
  };
  const shapeB = {
    events: [
      { event_type: 'task_assigned', data: { task: 1 }, source_agent: 'pm', timestamp: '2025-08-01T10:00:00', event_id: 'e-1', correlation_id: null },
      { event_type: 'task_done', data: { task: 1 }, source_agent: 'dev', timestamp: '2025-08-01T11:00:00', event_id: 'e-2', correlation_id: 'e-1' },
    ],
    last_updated: '2025-08-01T11:00:00',
    total_events: 2,
  };

  it('reads the { timestamp, event, data } shape through the same API and keeps writing it', async () => {
    const { file, engine, bus } = await setup();
    await writeFile(file, JSON.stringify(shapeA, null, 2));
    expect(await bus.events()).toEqual([
      { id: 'seq-1', seq: 1, type: 'component_build_requested', source: 'unknown', timestamp: '2025-08-02T23:19:01.723373', payload: { component: 'auth' } },
      { id: 'seq-2', seq: 2, type: 'component_built', source: 'unknown', timestamp: '2025-08-02T23:20:11.000001', payload: { component: 'auth', ok: true } },
    ]);
    const published = await bus.publish({ type: 'component_tested', source: 'qa', payload: { component: 'auth' } });
    expect(published.seq).toBe(3);
    const doc = JSON.parse(await readFile(file, 'utf8')) as { events: Array<Record<string, unknown>> };
    expect(Object.keys(doc)).toEqual(['events']);
    expect(doc.events.slice(0, 2)).toEqual(shapeA.events);
    expect(doc.events[2]).toMatchObject({ event: 'component_tested', data: { component: 'auth' }, seq: 3, source: 'qa' });
    expect(doc.events[2]!.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    await engine.close();
  });

  it('reads the { event_type, data, source_agent, ... } shape, keeps its counters, and never drops old events', async () => {
    const { file, engine, bus } = await setup();
    await writeFile(file, JSON.stringify(shapeB, null, 2));
    expect((await bus.events()).map((e) => [e.id, e.seq, e.type, e.source, e.correlationId])).toEqual([
      ['e-1', 1, 'task_assigned', 'pm', undefined],
      ['e-2', 2, 'task_done', 'dev', 'e-1'],
    ]);
    await bus.publish({ type: 'review', source: 'qa', correlationId: 'e-2' });
    const doc = JSON.parse(await readFile(file, 'utf8')) as typeof shapeB;
    expect(doc.events.slice(0, 2)).toEqual(shapeB.events);
    expect(doc.events[2]).toMatchObject({ event_type: 'review', source_agent: 'qa', correlation_id: 'e-2', seq: 3 });
    expect(doc.total_events).toBe(3);
    expect(doc.last_updated).toBe(doc.events[2]!.timestamp);
    await engine.close();
  });

  it('writes the prevention shape into a legacy file when told to', async () => {
    const { file, engine } = await setup();
    await writeFile(file, JSON.stringify(shapeA, null, 2));
    const bus = engine.bus(file, { eventFormat: 'prevention' });
    const event = await bus.publish({ type: 't', source: 's' });
    const doc = JSON.parse(await readFile(file, 'utf8')) as { events: unknown[] };
    expect(doc.events[2]).toEqual(event);
    expect((await bus.events()).map((e) => e.seq)).toEqual([1, 2, 3]);
    await engine.close();
  });
});
