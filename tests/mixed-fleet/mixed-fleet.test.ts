import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, startWorker, type Worker } from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';
import { scaled, printFigures } from '../support/torture.js';
import { hasPython } from '../support/python.js';

// A team mid-migration: agents on the old Python bus moved to prevention's drop-in module, Node
// agents embedding the engine, Node agents on the service's client, all on one shared context
// that a plain `json.load` reader keeps reading.

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(REPO, 'packages', 'cli', 'bin', 'prevention.js');
const PYTHON_CLIENT = path.join(REPO, 'clients', 'python');
const SHARED = 'bmad/agents/core/shared_context.json';
const EACH = scaled(200, 2_000);
const KINDS = ['python', 'engine', 'client'] as const;
const PER_KIND = 2;
const TOTAL = EACH * KINDS.length * PER_KIND;

/** An event as the old bus wrote it. */
const SEEDED = { timestamp: '2025-08-02T23:19:01.723373', event: 'component_build_requested', data: { component: 'api' } };

interface Python {
  child: ChildProcess;
  lines: string[];
  stderr: () => string;
  exited: Promise<number | string>;
}

const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

function startPython(script: string, args: string[], cwd: string): Python {
  const child = spawn('python3', [fixture(script), ...args], {
    cwd,
    env: { ...process.env, PYTHONPATH: PYTHON_CLIENT, PREVENTION_AUTOSTART: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines: string[] = [];
  let out = '';
  let errors = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    const parts = out.split('\n');
    out = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, lines, stderr: () => errors, exited };
}

function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const connection = createConnection(socket, () => {
      connection.end('GET /v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    });
    let reply = '';
    connection.setEncoding('utf8').on('data', (chunk: string) => (reply += chunk));
    connection.on('close', () => resolve(reply.startsWith('HTTP/1.1 200')));
    connection.on('error', () => resolve(false));
  });
}

async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** `prevention serve` in `dir`, as a process; resolves once it answers and handles SIGTERM. */
async function startServer(dir: string): Promise<{ child: ChildProcess; log: () => string; exited: Promise<number | string> }> {
  const child = spawn(process.execPath, [CLI, 'serve'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let log = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const socket = path.join(dir, '.prevention', 'prevention.sock');
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`prevention serve exited with ${child.exitCode}: ${log}`);
    return log.includes('prevention serve is listening') && (await answers(socket));
  }, 'prevention serve to answer');
  return { child, log: () => log, exited };
}

describe.runIf(hasPython())(`a mixed fleet: ${KINDS.length * PER_KIND} writers × ${EACH} events to one shared context`, () => {
  it(`commits ${TOTAL} of ${TOTAL} exactly once, each writer's order kept, while a json.load reader never fails`, async () => {
    const dir = await tempDir('prevention-mixed-');
    const file = path.join(dir, SHARED);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify({ events: [SEEDED] }, null, 2)}\n`);
    await writeFile(path.join(dir, 'prevention.config.mjs'), `export default { files: [{ path: '${SHARED}' }] };\n`);
    const server = await startServer(dir);

    const stopFile = path.join(dir, 'stop-reading');
    const reader = startPython('json-load-loop.py', [file, stopFile], dir);
    const python = Array.from({ length: PER_KIND }, (_, i) => startPython('legacy-publish-worker.py', [`python${i}`, String(EACH)], dir));
    const engine: Worker[] = Array.from({ length: PER_KIND }, (_, i) => startWorker('publish-worker.mjs', [file, `engine${i}`, String(EACH)]));
    const client: Worker[] = Array.from({ length: PER_KIND }, (_, i) => startWorker('client-publish-worker.mjs', [dir, SHARED, `client${i}`, String(EACH)]));
    const writers = [...python, ...engine, ...client];
    const codes = await Promise.all(writers.map((w) => w.exited));
    expect(codes, writers.map((w) => w.stderr()).join('\n')).toEqual(Array(writers.length).fill(0));

    await writeFile(stopFile, '');
    expect(await reader.exited, reader.stderr()).toBe(0);
    const read = JSON.parse(reader.lines.at(-1)!) as { reads: number; failures: number; firstFailure: string | null };
    server.child.kill('SIGTERM');
    expect(await server.exited, server.log()).toBe(0);
    expect(existsSync(path.join(dir, '.prevention', 'prevention.sock'))).toBe(false);

    // Every writer was told each of its events was committed.
    for (const writer of writers) {
      expect(writer.lines.filter((l) => l !== '').length).toBe(EACH);
    }
    const doc = JSON.parse(await readFile(file, 'utf8')) as { events: Array<Record<string, unknown>> };
    expect(doc.events[0]).toEqual(SEEDED);
    const published = doc.events.slice(1);
    // The file keeps the old bus's shape, so the agents still reading it directly understand it.
    for (const event of published) {
      expect(Object.keys(event)).toEqual(expect.arrayContaining(['timestamp', 'event', 'data']));
      expect(event.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    }
    const steps = published.map((event) => event.data as { writer: string; n: number });
    const keys = steps.map((s) => `${s.writer}:${s.n}`);
    expect(keys.length).toBe(TOTAL);
    expect(new Set(keys).size).toBe(TOTAL);
    const names = [...python.keys()].map((i) => `python${i}`).concat([...engine.keys()].map((i) => `engine${i}`), [...client.keys()].map((i) => `client${i}`));
    for (const name of names) {
      expect(steps.filter((s) => s.writer === name).map((s) => s.n), name).toEqual(Array.from({ length: EACH }, (_, i) => i + 1));
    }
    const seqs = published.map((event) => event.seq as number);
    expect(seqs).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 2));
    // What the Node writers were told is where their events are.
    for (const [i, worker] of [...engine, ...client].entries()) {
      const name = i < PER_KIND ? `engine${i}` : `client${i - PER_KIND}`;
      expect(worker.lines.map((l) => Number(l.split(' ')[1]))).toEqual(published.filter((e) => (e.data as { writer: string }).writer === name).map((e) => e.seq));
    }
    expect(read.failures, read.firstFailure ?? '').toBe(0);
    expect(read.reads).toBeGreaterThan(0);
    printFigures('mixed-fleet', { writers: writers.length, events: TOTAL, reads: read.reads, failures: read.failures });
  });
});
