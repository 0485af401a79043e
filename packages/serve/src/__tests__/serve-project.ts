import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import path from 'node:path';
import { TempDirs } from '@prevention/core/testing';
import { startServe, type RunningServe, type ServeOptions } from '../index.js';

/** An answer read whole. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: () => unknown;
}

/** A raw request: the path goes out exactly as given (no URL normalisation), the body as bytes. */
export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** A project directory with a config, and a service started in this process on it. */
export interface ServeProject {
  dir: string;
  server: RunningServe;
  send(raw: RawRequest): Promise<Answer>;
  /** Opens a request and returns the streaming response (a follow). */
  open(raw: RawRequest): Promise<IncomingMessage>;
  /** Every file under the project (but the service's own socket, pid file and lock) with its sha256. */
  snapshot(): Promise<Record<string, string>>;
}

/** Files of the service itself, which come and go with it. */
const OWN = new Set(['.prevention/prevention.sock', '.prevention/serve.pid', '.prevention/serve.pid.lock']);

/** Sends a request over a Unix socket and reads the whole answer. */
export function sendOver(socketPath: string, raw: RawRequest): Promise<Answer> {
  return openOver(socketPath, raw).then(
    (res) =>
      new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
      }),
  );
}

/** Opens a request over a Unix socket; resolves with the response as it starts. */
export function openOver(socketPath: string, raw: RawRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const body = raw.body === undefined ? undefined : Buffer.from(raw.body);
    const headers: Record<string, string> = { ...(body ? { 'Content-Type': 'application/json', 'Content-Length': String(body.length) } : {}), ...raw.headers };
    const req = request({ socketPath, method: raw.method ?? 'GET', path: raw.path, headers, agent: false }, resolve);
    req.on('error', reject);
    req.end(body);
  });
}

/** Lists every regular file under `dir` with its sha256, by relative path. */
export async function treeOf(dir: string, skip: ReadonlySet<string> = OWN): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: Record<string, string> = {};
  for (const entry of entries) {
    const relative = path.relative(dir, path.join(entry.parentPath, entry.name));
    if (skip.has(relative) || [...skip].some((own) => relative.startsWith(`${own}/`))) continue;
    files[relative] = entry.isFile() ? createHash('sha256').update(await readFile(path.join(dir, relative))).digest('hex') : entry.isDirectory() ? 'dir' : 'other';
  }
  return files;
}

/**
 * Projects for tests: each a fresh temp directory with `prevention.config.json` naming
 * `files`, and a service started on it. `cleanup()` stops the services and removes the
 * directories.
 */
export class ServeProjects {
  private readonly dirs = new TempDirs();
  private readonly running: RunningServe[] = [];

  async start(files: unknown[] = [{ path: 'ctx.json' }, { path: 'docs/*.json' }], options: ServeOptions = {}): Promise<ServeProject> {
    const dir = await this.dirs.make('prevention-serve-');
    await writeFile(path.join(dir, 'prevention.config.json'), JSON.stringify({ files }));
    const server = await startServe({ cwd: dir, logger: { level: 'silent' }, ...options });
    this.running.push(server);
    return {
      dir,
      server,
      send: (raw) => sendOver(server.socketPath, raw),
      open: (raw) => openOver(server.socketPath, raw),
      snapshot: () => treeOf(dir),
    };
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.running.splice(0).map((server) => server.close()));
    await this.dirs.removeAll();
  }
}

/** Collects the lines of a streaming response, and waits for a condition on them. */
export class LineReader {
  readonly lines: string[] = [];
  private pending = '';
  private readonly waiters: Array<() => void> = [];
  ended = false;

  constructor(res: IncomingMessage) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      this.pending += chunk;
      let newline: number;
      while ((newline = this.pending.indexOf('\n')) !== -1) {
        this.lines.push(this.pending.slice(0, newline));
        this.pending = this.pending.slice(newline + 1);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    res.on('end', () => {
      this.ended = true;
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolves once `test` holds for the lines read so far (fails if the stream ends first). */
  async until(test: (lines: string[]) => boolean): Promise<void> {
    while (!test(this.lines)) {
      if (this.ended) throw new Error(`the stream ended first; lines: ${JSON.stringify(this.lines)}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}
