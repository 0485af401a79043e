import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { lstat, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { TempDirs } from '@prevention/core/testing';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The real `prevention serve` binary, as a separate OS process: what systemd or a client's
 * autoStart runs.
 */
const bin = path.join(path.dirname(createRequire(import.meta.url).resolve('@prevention/cli/package.json')), 'bin', 'prevention.js');
const dirs = new TempDirs();
const children = new Set<ChildProcess>();
afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  await dirs.removeAll();
});

interface Served {
  child: ChildProcess;
  exited: Promise<number | string>;
  output: () => string;
}

function serve(dir: string): Served {
  const child = spawn(process.execPath, [bin, 'serve'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, exited, output: () => output };
}

function health(socketPath: string): Promise<{ pid: number } | undefined> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/v1/health', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(res.statusCode === 200 ? (JSON.parse(text) as { pid: number }) : undefined));
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** Polls until `test` holds; fails after `timeoutMs` (a hang, not a measurement). */
async function until<T>(probe: () => Promise<T>, test: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (test(value)) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function project(): Promise<{ dir: string; socket: string }> {
  const dir = await dirs.make('prevention-serve-bin-');
  await writeFile(path.join(dir, 'prevention.config.json'), JSON.stringify({ files: [{ path: 'ctx.json' }] }));
  return { dir, socket: path.join(dir, '.prevention', 'prevention.sock') };
}

describe('prevention serve, the binary', () => {
  it('listens on an owner-only socket in an owner-only folder, refuses a second start naming the pid, and stops on SIGTERM', async () => {
    const { dir, socket } = await project();
    const first = serve(dir);
    const answered = await until(() => health(socket), (h) => h !== undefined);
    expect(answered!.pid).toBe(first.child.pid);
    expect((await lstat(socket)).mode & 0o777).toBe(0o600);
    expect((await lstat(path.join(dir, '.prevention'))).mode & 0o777).toBe(0o700);
    expect((await readFile(path.join(dir, '.prevention', 'serve.pid'), 'utf8')).trim()).toBe(String(first.child.pid));

    const second = serve(dir);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain('PREVENTION_SERVE_RUNNING');
    expect(second.output()).toContain(`pid ${first.child.pid}`);
    expect(await health(socket)).toEqual(answered);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await expect(lstat(socket)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(lstat(path.join(dir, '.prevention', 'serve.pid'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('answers a request in flight when SIGTERM arrives, then exits 0', async () => {
    const { dir, socket } = await project();
    const server = serve(dir);
    await until(() => health(socket), (h) => h !== undefined);
    const body = JSON.stringify({ events: [], written: 'during the stop' });
    let continued!: () => void;
    const headersReceived = new Promise<void>((resolve) => (continued = resolve));
    let stopBegun!: () => void;
    const stopped = new Promise<void>((resolve) => (stopBegun = resolve));
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        { socketPath: socket, method: 'PUT', path: '/v1/files/ctx.json', agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), Expect: '100-continue' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      // 100 Continue: the service has parsed the headers and is handling the request.
      req.on('continue', () => {
        continued();
        void stopped.then(() => req.end(body));
      });
      req.flushHeaders();
    });
    await headersReceived;
    server.child.kill('SIGTERM');
    // The stop has begun once the socket takes no new connection; only then does the body go.
    await until(() => health(socket), (h) => h === undefined);
    stopBegun();
    const { status, text } = await answer;
    expect(status, text).toBe(200);
    expect(await server.exited).toBe(0);
    expect(JSON.parse(await readFile(path.join(dir, 'ctx.json'), 'utf8'))).toEqual(JSON.parse(body));
  });

  it('removes the socket a killed server left, and starts', async () => {
    const { dir, socket } = await project();
    const killed = serve(dir);
    await until(() => health(socket), (h) => h !== undefined);
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect((await lstat(socket)).isSocket()).toBe(true);
    const next = serve(dir);
    const answered = await until(() => health(socket), (h) => h !== undefined);
    expect(answered!.pid).toBe(next.child.pid);
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  });
});
