import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, readlink, realpath, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TempDirs } from '@prevention/core/testing';
import { startServe, type RunningServe } from '@prevention/serve';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, findProjectRoot, isClientError, type PreventionClient } from './index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const worker = (name: string): string => path.join(here, '__tests__', name);
const cliBin = path.join(path.dirname(createRequire(import.meta.url).resolve('@prevention/cli/package.json')), 'bin', 'prevention.js');

const dirs = new TempDirs();
const servers: RunningServe[] = [];
const clients: PreventionClient[] = [];
const startedPids: number[] = [];
/** Projects in which services were started by clients (the winner and those that lost the start). */
const startedIn: string[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
  for (const pid of startedPids.splice(0)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  // A stopping service removes its socket and pid file, one that lost the start writes its log:
  // the directory is removed once none runs in it, not while.
  for (const dir of startedIn.splice(0)) await noProcessIn(dir);
  await dirs.removeAll();
});

/** Resolves once no live process has its working directory in `dir`, or after 10 s. */
async function noProcessIn(dir: string): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    let found = false;
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cwd = await readlink(`/proc/${entry}/cwd`);
        const state = (await readFile(`/proc/${entry}/stat`, 'utf8')).split(') ')[1]?.[0];
        if ((cwd === dir || cwd.startsWith(`${dir}/`)) && state !== 'Z' && state !== 'X') found = true;
      } catch {
        // Gone meanwhile, or not ours to look at.
      }
    }
    if (!found) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function project(): Promise<string> {
  const dir = await dirs.make('prevention-client-');
  await writeFile(path.join(dir, 'prevention.config.json'), JSON.stringify({ files: [{ path: 'ctx.json' }, { path: 'state/*.json' }] }));
  return dir;
}

async function served(): Promise<{ dir: string; server: RunningServe; client: PreventionClient }> {
  const dir = await project();
  const server = await startServe({ cwd: dir, logger: { level: 'silent' } });
  servers.push(server);
  const client = await connect({ cwd: dir, autoStart: false });
  clients.push(client);
  return { dir, server, client };
}

function run(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { env }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

/** Waits for `test` to hold (a hang fails the test by its timeout, never a measurement). */
async function until(test: () => boolean): Promise<void> {
  while (!test()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('connect', () => {
  it('finds the project from a directory below it, by its config', async () => {
    const dir = await project();
    await mkdir(path.join(dir, 'a', 'b'), { recursive: true });
    expect(findProjectRoot(path.join(dir, 'a', 'b'))).toBe(dir);
  });

  it('without autoStart, fails typed when nothing answers', async () => {
    const dir = await project();
    await expect(connect({ cwd: dir, autoStart: false })).rejects.toMatchObject({ code: 'PREVENTION_ENGINE_CLOSED' });
  });
});

describe('files through the service', () => {
  it('reads, writes with conditions, and patches', async () => {
    const { dir, client } = await served();
    expect(await client.readVersion('state/a.json')).toEqual({ document: {}, sha256: undefined });
    const created = await client.write('state/a.json', { n: 1 }, { ifNoneMatch: '*' });
    const version = await client.readVersion('state/a.json');
    expect(version).toEqual({ document: { n: 1 }, sha256: created.sha256 });
    const error = await client.write('state/a.json', { n: 2 }, { ifMatch: '0'.repeat(64) }).catch((err: unknown) => err);
    expect(isClientError(error, 'PREVENTION_PRECONDITION_FAILED')).toBe(true);
    expect(error).toMatchObject({ status: 412, details: { current: created.sha256 } });
    await client.mergePatch('state/a.json', { m: 1 }, { ifMatch: created.sha256 });
    await client.jsonPatch('state/a.json', [{ op: 'replace', path: '/n', value: 5 }]);
    expect(JSON.parse(await readFile(path.join(dir, 'state', 'a.json'), 'utf8'))).toEqual({ n: 5, m: 1 });
    await expect(client.read('nope.json')).rejects.toMatchObject({ code: 'PREVENTION_UNKNOWN_FILE', status: 404 });
  });

  it('4 processes × 50 optimistic increments of one counter end at exactly 200', async () => {
    const { server, client } = await served();
    const results = await Promise.all([1, 2, 3, 4].map(() => run(worker('increment-worker.mjs'), [server.socketPath, 'state/counter.json', '50'])));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(await client.read('state/counter.json')).toEqual({ counter: 200 });
  });
});

describe('over TCP', () => {
  it('publishes with the bearer token; a wrong token is refused typed', async () => {
    const dir = await project();
    const server = await startServe({ cwd: dir, logger: { level: 'silent' }, port: 0, token: 'the-token' });
    servers.push(server);
    const client = await connect({ url: `http://127.0.0.1:${server.port}`, token: 'the-token' });
    clients.push(client);
    expect((await client.bus('ctx.json').publish({ type: 't', source: 's' })).seq).toBe(1);
    await expect(connect({ url: `http://127.0.0.1:${server.port}`, token: 'another' })).rejects.toMatchObject({ code: 'PREVENTION_UNAUTHORIZED', status: 401 });
  });
});

describe('refusals through the service', () => {
  it('a body over the limit gets the typed 413 while the rest of it is still being sent, and the client goes on', async () => {
    const dir = await project();
    const server = await startServe({ cwd: dir, logger: { level: 'silent' }, maxBodyBytes: 4_096 });
    servers.push(server);
    const client = await connect({ cwd: dir, autoStart: false });
    clients.push(client);
    const bus = client.bus('ctx.json');
    // Far more than a socket buffer holds: the service answers before the client has sent it all.
    const error = await bus.publish({ type: 't', source: 's', payload: 'x'.repeat(4 * 1024 * 1024) }).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'PREVENTION_BODY_TOO_LARGE', status: 413 });
    expect((await bus.publish({ type: 't', source: 's' })).seq).toBe(1);
    expect(JSON.parse(await readFile(path.join(dir, 'ctx.json'), 'utf8')).events).toHaveLength(1);
  });
});

describe('the bus through the service', () => {
  it('publishes, lists and reports the last seq; a publish retried with its Idempotency-Key lands once', async () => {
    const { client } = await served();
    const bus = client.bus('ctx.json');
    expect(await bus.lastSeq()).toBe(0);
    const first = await bus.publish({ type: 'a', source: 's', payload: { x: 1 } }, { idempotencyKey: 'once' });
    const retried = await bus.publish({ type: 'a', source: 's', payload: { x: 1 } }, { idempotencyKey: 'once' });
    expect(retried).toEqual(first);
    const many = await bus.publishMany([{ type: 'b', source: 's' }, { type: 'c', source: 't' }]);
    expect(many.map((e) => e.seq)).toEqual([2, 3]);
    expect(await bus.lastSeq()).toBe(3);
    expect((await bus.events({ since: 1, source: 't' })).map((e) => e.type)).toEqual(['c']);
  });

  it('a subscriber gets every event from 3 publishing processes once, in order, across a restart of the service', async () => {
    const { dir, server, client } = await served();
    const bus = client.bus('ctx.json');
    const seen: number[] = [];
    const stop = bus.subscribe((event) => void seen.push(event.seq), { since: 0, onError: () => undefined });
    const socket = server.socketPath;
    const publishers = await Promise.all(['p1', 'p2', 'p3'].map((source) => run(worker('publish-worker.mjs'), [socket, 'ctx.json', source, '10'])));
    for (const result of publishers) expect(result.code, result.stderr).toBe(0);
    await until(() => seen.length === 30);

    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const restarted = await startServe({ cwd: dir, logger: { level: 'silent' } });
    servers.push(restarted);
    const later = await run(worker('publish-worker.mjs'), [socket, 'ctx.json', 'p4', '5']);
    expect(later.code, later.stderr).toBe(0);
    await until(() => seen.length >= 35);
    stop();
    expect(seen).toEqual(Array.from({ length: 35 }, (_, i) => i + 1));
  });
});

describe('autoStart', () => {
  it('starts a real prevention serve when nothing answers, once for several processes at once, and says so once on stderr', async () => {
    const dir = await project();
    startedIn.push(await realpath(dir));
    await mkdir(path.join(dir, 'agent'));
    const env = { ...process.env, PREVENTION_BIN: cliBin };
    const results = await Promise.all(['a1', 'a2', 'a3'].map((source) => run(worker('connect-worker.mjs'), [path.join(dir, 'agent'), 'ctx.json', source], env)));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const answers = results.map((result) => JSON.parse(result.stdout) as { seq: number; pid: number });
    const pids = new Set(answers.map((answer) => answer.pid));
    expect(pids.size).toBe(1);
    startedPids.push(...pids);
    expect(answers.map((answer) => answer.seq).sort()).toEqual([1, 2, 3]);
    const announced = results.filter((result) => result.stderr.includes('started `prevention serve`'));
    expect(announced.length).toBeGreaterThanOrEqual(1);
    for (const result of announced) expect(result.stderr.match(/started `prevention serve`/g)).toHaveLength(1);
    expect((await readFile(path.join(dir, '.prevention', 'serve.pid'), 'utf8')).trim()).toBe(String([...pids][0]));

    // The started service outlives the processes that started it.
    const client = await connect({ cwd: dir, autoStart: false });
    clients.push(client);
    expect((await client.health()).pid).toBe([...pids][0]);
  });
});
