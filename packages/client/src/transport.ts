import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { ErrorCode } from '@prevention/core';
import { ClientCodes, PreventionClientError } from './client-error.js';
import { HttpExchange } from './http-exchange.js';

/** Where the service listens: the project's Unix socket, or a TCP URL with its bearer token. */
export type Endpoint = { socketPath: string } | { url: URL; token: string | undefined };

/** One request to the service. */
export interface ServiceRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** The body's media type; default application/json. */
  contentType?: string;
  /** Give up (a transport error, outcome unknown) after this long without an answer. */
  timeoutMs?: number;
}

/** An answer of the service. */
export interface ServiceAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** System errors that mean nothing listens, as opposed to a connection that broke. */
const NOT_LISTENING = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK']);

interface ErrorBody {
  error?: { code?: ErrorCode; message?: string; hint?: string; details?: Record<string, unknown> };
}

/** The service's typed error from an error answer. */
export function answerError(answer: ServiceAnswer): PreventionClientError {
  const error = (answer.body as ErrorBody | undefined)?.error;
  if (!error?.code) return new PreventionClientError(ClientCodes.BAD_ANSWER, `the service answered ${answer.status} without a typed error`, { status: answer.status });
  return new PreventionClientError(error.code, error.message ?? error.code, { status: answer.status, ...(error.hint ? { hint: error.hint } : {}), ...(error.details ? { details: error.details } : {}) });
}

/** The transport error for a request that got no answer. */
function transportError(err: NodeJS.ErrnoException, where: string): PreventionClientError {
  if (err.code !== undefined && NOT_LISTENING.has(err.code)) {
    return new PreventionClientError(ClientCodes.UNAVAILABLE, `prevention serve does not answer at ${where} (${err.code})`, {
      hint: 'start it with `prevention serve` in the project, or connect with autoStart',
      details: { systemCode: err.code },
      cause: err,
    });
  }
  return new PreventionClientError(ClientCodes.TRANSPORT, `the request to prevention serve at ${where} failed without an answer (${err.code ?? err.message}); its outcome is unknown`, {
    details: { systemCode: err.code ?? null },
    cause: err,
  });
}

/**
 * HTTP/1.1 to the service over its socket (or TCP): requests over kept-alive connections
 * ({@link HttpExchange}); streams (follow) through `node:http`, each on a connection of its own.
 */
export class Transport {
  private readonly exchange: HttpExchange;

  constructor(readonly endpoint: Endpoint) {
    this.exchange =
      'socketPath' in endpoint
        ? new HttpExchange({ socketPath: endpoint.socketPath }, 'localhost')
        : new HttpExchange({ host: endpoint.url.hostname, port: Number(endpoint.url.port || 80) }, endpoint.url.host);
  }

  /** Where the service is, for messages. */
  get where(): string {
    return 'socketPath' in this.endpoint ? this.endpoint.socketPath : this.endpoint.url.origin;
  }

  /** Sends a request and reads the whole answer (JSON when it says so). */
  async send(options: ServiceRequest): Promise<ServiceAnswer> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers = this.headersOf(options, payload !== undefined);
    let answer;
    try {
      answer = await this.exchange.send(options.method, options.path, headers, payload, options.timeoutMs);
    } catch (err) {
      if (err instanceof TypeError) throw new PreventionClientError(ClientCodes.USAGE, `${options.method} ${options.path}: ${err.message}; nothing was sent`, { cause: err });
      throw transportError(err as NodeJS.ErrnoException, this.where);
    }
    const text = answer.body.toString('utf8');
    let body: unknown = text;
    if (String(answer.headers['content-type'] ?? '').startsWith('application/json') && text !== '') {
      try {
        body = JSON.parse(text);
      } catch (cause) {
        throw new PreventionClientError(ClientCodes.BAD_ANSWER, `the service answered ${answer.status} with a body that is not JSON`, { status: answer.status, cause });
      }
    }
    return { status: answer.status, headers: answer.headers, body };
  }

  /** Opens a request whose answer is read as a stream (a follow). */
  stream(options: ServiceRequest, signal: AbortSignal): Promise<IncomingMessage> {
    return this.open(options, signal);
  }

  close(): void {
    this.exchange.close();
  }

  private headersOf(options: ServiceRequest, hasBody: boolean): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (hasBody) headers['Content-Type'] = options.contentType ?? 'application/json';
    if (!('socketPath' in this.endpoint) && this.endpoint.token) headers.Authorization = `Bearer ${this.endpoint.token}`;
    return headers;
  }

  private open(options: ServiceRequest, signal: AbortSignal): Promise<IncomingMessage> {
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers = this.headersOf(options, payload !== undefined);
    if (payload) headers['Content-Length'] = String(payload.length);
    const target =
      'socketPath' in this.endpoint
        ? { socketPath: this.endpoint.socketPath }
        : { host: this.endpoint.url.hostname, port: this.endpoint.url.port };
    return new Promise((resolve, reject) => {
      const req = request({ ...target, method: options.method, path: options.path, headers, agent: false, signal }, resolve);
      if (options.timeoutMs !== undefined) {
        req.setTimeout(options.timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      }
      req.on('error', (err: NodeJS.ErrnoException) => reject(signal.aborted ? err : transportError(err, this.where)));
      req.end(payload);
    });
  }
}
