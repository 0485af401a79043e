import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes, type EngineApi, type FileSystem } from '@prevention/core';
import { EventRoutes } from './event-routes.js';
import type { Exchange } from './exchange.js';
import { FileRoutes } from './file-routes.js';
import { RequestError } from './request-error.js';
import { RequestPaths } from './request-path.js';
import { sendError, sendJson } from './responses.js';

/** What the handler needs to answer requests. */
export interface ServeHandlerOptions {
  engine: EngineApi;
  fs: FileSystem;
  /** The project root. */
  root: string;
  /** This package's version, for `/v1/health`. */
  version: string;
  maxBodyBytes: number;
  heartbeatMs: number;
  /** How long a publish waits for the clients just answered on its file (see PublishRounds). */
  joinWaitMs: number;
}

type Route = (exchange: Exchange) => Promise<void>;

function methodNotAllowed(method: string, allowed: string[]): RequestError {
  return new RequestError(ErrorCodes.BAD_REQUEST, `${method} is not a method of this endpoint (it takes ${allowed.join(', ')})`, `use ${allowed.join(' or ')}`, 405, { details: { allowed } });
}

/**
 * Answers the protocol's requests (docs/serve.md) against one engine. Requests run
 * concurrently, never one after the other: concurrent writes to a file meet in the engine's
 * group commit. It counts the requests in flight, so a stop can wait for them.
 */
export class ServeHandler {
  private readonly paths: RequestPaths;
  private readonly files: FileRoutes;
  private readonly events: EventRoutes;
  private readonly stopping = new AbortController();
  private inFlight = 0;
  private idle: (() => void) | undefined;

  constructor(private readonly options: ServeHandlerOptions) {
    this.paths = new RequestPaths(options.engine, options.fs, options.root);
    this.files = new FileRoutes(options.engine, options.maxBodyBytes);
    this.events = new EventRoutes(options.engine, options.maxBodyBytes, options.heartbeatMs, this.stopping.signal, options.joinWaitMs);
  }

  /**
   * The request listener for a server; with a `token`, every request must carry it as
   * `Authorization: Bearer <token>` (the TCP listener).
   */
  listener(token?: string): (req: IncomingMessage, res: ServerResponse) => void {
    const expected = token === undefined ? undefined : Buffer.from(`Bearer ${token}`);
    return (req, res) => {
      this.inFlight += 1;
      res.once('close', () => {
        this.inFlight -= 1;
        if (this.inFlight === 0) this.idle?.();
      });
      if (expected && !authorized(req.headers.authorization, expected)) {
        sendError(res, new RequestError(ErrorCodes.UNAUTHORIZED, 'this request lacks the bearer token the service was started with', 'send `Authorization: Bearer <token>`'), { 'WWW-Authenticate': 'Bearer' });
        return;
      }
      this.handle(req, res).catch((err: unknown) => sendError(res, err));
    };
  }

  /**
   * Ends the follow streams and resolves once every request in flight has been answered. New
   * requests are the listener's to refuse (the servers stop accepting first).
   */
  async drain(): Promise<void> {
    this.stopping.abort();
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    await this.events.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const question = raw.indexOf('?');
    const pathname = question === -1 ? raw : raw.slice(0, question);
    const query = new URLSearchParams(question === -1 ? '' : raw.slice(question + 1));
    const method = req.method ?? 'GET';
    if (pathname === '/v1/health') {
      if (method !== 'GET') throw methodNotAllowed(method, ['GET']);
      sendJson(res, 200, { status: 'ok', pid: process.pid, root: this.options.root, version: this.options.version });
      return;
    }
    const routes = this.routesFor(pathname);
    if (!routes) throw new RequestError(ErrorCodes.BAD_REQUEST, `no endpoint ${pathname}`, 'see docs/serve.md: /v1/health, /v1/files/{file}, /v1/events/{file}', 404);
    const route = routes.table[method];
    if (!route) throw methodNotAllowed(method, Object.keys(routes.table));
    const file = await this.paths.resolve(routes.file);
    await route({ req, res, file, query });
  }

  private routesFor(pathname: string): { file: string; table: Record<string, Route> } | undefined {
    if (pathname.startsWith('/v1/files/')) {
      return { file: pathname.slice('/v1/files/'.length), table: { GET: (x) => this.files.get(x), PUT: (x) => this.files.put(x), PATCH: (x) => this.files.patch(x) } };
    }
    if (pathname.startsWith('/v1/events/')) {
      return { file: pathname.slice('/v1/events/'.length), table: { GET: (x) => this.events.get(x), POST: (x) => this.events.post(x), DELETE: (x) => this.events.delete(x) } };
    }
    return undefined;
  }
}

/** Compares the Authorization header with the expected one in constant time. */
function authorized(header: string | undefined, expected: Buffer): boolean {
  if (header === undefined) return false;
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
