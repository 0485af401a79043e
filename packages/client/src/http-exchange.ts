import type { IncomingHttpHeaders } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';

/** An answer read whole: status, headers (names lower case) and the raw body. */
export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Where to dial: a Unix socket, or a TCP host and port. */
export type DialTarget = { socketPath: string } | { host: string; port: number };

/** A transport failure with the system code the caller maps (ENOENT, ECONNRESET, ETIMEDOUT...). */
export class ExchangeError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * How long an idle kept-alive connection is kept. Below the service's keep-alive timeout
 * (Node's default, 5 s), so the client is the one to close it and never sends a request on a
 * connection the server is closing.
 */
const IDLE_MS = 4_000;
/** A head larger than this is not the service's. */
const MAX_HEAD_BYTES = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');
/**
 * Outside what Node's http accepts in a header value, and the characters above 0x7e, which it
 * sends as latin1 while this client writes the request as UTF-8: refused rather than altered.
 */
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e]/;
/** A request target is percent-encoded: a space or a control character would split the request line. */
const INVALID_PATH = /[^\x21-\x7e]/;

/** Why an answer cannot be read: the protocol was broken, not the connection. */
function malformed(message: string): ExchangeError {
  return new ExchangeError(`the service's answer is not HTTP/1.1 (${message})`, 'EPROTO');
}

/** Reads one answer from the bytes a connection receives, head then body. */
class AnswerReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private head: { status: number; headers: IncomingHttpHeaders; keepAlive: boolean } | undefined;
  /** Content-Length, 'chunked', or 'close' (the body runs to the end of the connection). */
  private framing: number | 'chunked' | 'close' = 0;

  constructor(private readonly bodyless: boolean) {}

  /** Takes received bytes; returns the answer once it is complete, and whether the connection can be reused. */
  push(chunk: Buffer): { answer: RawAnswer; reusable: boolean } | undefined {
    this.chunks.push(chunk);
    this.length += chunk.length;
    let data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
    this.chunks = [data];
    while (this.head === undefined) {
      const end = data.indexOf(HEAD_END);
      if (end === -1) {
        if (data.length > MAX_HEAD_BYTES) throw malformed('a head of more than 64 KiB');
        return undefined;
      }
      const parsed = this.parseHead(data.subarray(0, end).toString('latin1'));
      data = data.subarray(end + HEAD_END.length);
      this.chunks = [data];
      this.length = data.length;
      // An interim answer (100 Continue) is followed by the real one.
      if (parsed.status >= 100 && parsed.status < 200) continue;
      this.head = parsed;
    }
    const body = this.body(data);
    if (body === undefined) return undefined;
    return { answer: { status: this.head.status, headers: this.head.headers, body: body.bytes }, reusable: this.head.keepAlive && this.framing !== 'close' && body.rest === 0 };
  }

  /** The connection ended: the answer, when its body was meant to run until then. */
  end(): RawAnswer | undefined {
    if (this.head === undefined || this.framing !== 'close') return undefined;
    return { status: this.head.status, headers: this.head.headers, body: Buffer.concat(this.chunks, this.length) };
  }

  private parseHead(text: string): { status: number; headers: IncomingHttpHeaders; keepAlive: boolean } {
    const lines = text.split('\r\n');
    const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0]!);
    if (!statusLine) throw malformed(`status line ${JSON.stringify(lines[0]!.slice(0, 80))}`);
    const status = Number(statusLine[2]);
    const headers: IncomingHttpHeaders = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) throw malformed(`header line ${JSON.stringify(line.slice(0, 80))}`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      const existing = headers[name];
      if (name === 'set-cookie') headers[name] = [...((existing as string[] | undefined) ?? []), value];
      else headers[name] = existing === undefined ? value : `${existing as string}, ${value}`;
    }
    const connection = String(headers.connection ?? '').toLowerCase();
    const keepAlive = statusLine[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
    const encoding = headers['transfer-encoding'];
    const declared = headers['content-length'];
    if (this.bodyless || status === 204 || status === 304) this.framing = 0;
    else if (encoding !== undefined) {
      if (String(encoding).toLowerCase() !== 'chunked') throw malformed(`Transfer-Encoding ${JSON.stringify(encoding)}`);
      this.framing = 'chunked';
    } else if (declared !== undefined) {
      if (!/^\d+$/.test(String(declared))) throw malformed(`Content-Length ${JSON.stringify(declared)}`);
      this.framing = Number(declared);
    } else this.framing = 'close';
    return { status, headers, keepAlive };
  }

  /** The body when all of it is here (and how many bytes follow it), else undefined. */
  private body(data: Buffer): { bytes: Buffer; rest: number } | undefined {
    if (this.framing === 'close') return undefined;
    if (typeof this.framing === 'number') {
      if (data.length < this.framing) return undefined;
      return { bytes: data.subarray(0, this.framing), rest: data.length - this.framing };
    }
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = data.indexOf('\r\n', at);
      if (lineEnd === -1) return undefined;
      const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1').split(';')[0]!.trim(), 16);
      if (!Number.isSafeInteger(size) || size < 0) throw malformed('a chunk size that is not a number');
      if (size === 0) {
        // The last chunk, then optional trailers, then an empty line.
        const end = data.indexOf(HEAD_END, lineEnd);
        if (data.indexOf('\r\n', lineEnd + 2) === lineEnd + 2) return { bytes: Buffer.concat(parts), rest: data.length - (lineEnd + 4) };
        if (end === -1) return undefined;
        return { bytes: Buffer.concat(parts), rest: data.length - (end + HEAD_END.length) };
      }
      const start = lineEnd + 2;
      if (data.length < start + size + 2) return undefined;
      parts.push(data.subarray(start, start + size));
      at = start + size + 2;
    }
  }
}

/** One connection to the service, and the answer it is reading, if any. */
class Connection {
  private reader: AnswerReader | undefined;
  private settle: ((outcome: { answer: RawAnswer; reusable: boolean } | Error) => void) | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  closed = false;

  constructor(
    readonly socket: Socket,
    private readonly onIdleClose: (connection: Connection) => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('end', () => this.ended());
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(new ExchangeError(err.message, err.code ?? 'EIO', { cause: err })));
    socket.on('close', () => {
      this.closed = true;
      this.fail(new ExchangeError('the service closed the connection before answering', 'ECONNRESET'));
      this.onIdleClose(this);
    });
    socket.on('timeout', () => socket.destroy(new ExchangeError(`no answer within ${socket.timeout} ms`, 'ETIMEDOUT')));
  }

  /** Sends one request (head and body in one write) and resolves with its whole answer. */
  exchange(request: string | Buffer, bodyless: boolean, timeoutMs: number | undefined): Promise<{ answer: RawAnswer; reusable: boolean }> {
    if (this.closed || this.socket.destroyed) return Promise.reject(new ExchangeError('the connection closed before the request was sent', 'ECONNRESET'));
    clearTimeout(this.idleTimer);
    this.socket.ref();
    this.reader = new AnswerReader(bodyless);
    const done = new Promise<{ answer: RawAnswer; reusable: boolean } | Error>((resolve) => (this.settle = resolve));
    if (timeoutMs !== undefined) this.socket.setTimeout(timeoutMs);
    this.socket.write(request);
    return done.then((outcome) => {
      if (outcome instanceof Error) throw outcome;
      return outcome;
    });
  }

  /** Back in the pool: it no longer keeps the process alive, and closes itself when unused for a while. */
  idle(): void {
    this.socket.setTimeout(0);
    this.socket.unref();
    this.idleTimer = setTimeout(() => this.socket.destroy(), IDLE_MS);
    this.idleTimer.unref();
  }

  destroy(): void {
    clearTimeout(this.idleTimer);
    this.socket.destroy();
  }

  private received(chunk: Buffer): void {
    if (!this.reader) {
      // Bytes nobody asked for: the connection is out of step with the protocol.
      this.socket.destroy();
      return;
    }
    let outcome: { answer: RawAnswer; reusable: boolean } | undefined;
    try {
      outcome = this.reader.push(chunk);
    } catch (err) {
      this.socket.destroy(err as Error);
      return;
    }
    if (outcome) this.finish(outcome);
  }

  private ended(): void {
    const answer = this.reader?.end();
    if (answer) this.finish({ answer, reusable: false });
    this.socket.end();
  }

  private finish(outcome: { answer: RawAnswer; reusable: boolean }): void {
    this.reader = undefined;
    const settle = this.settle;
    this.settle = undefined;
    settle?.(outcome);
  }

  private fail(err: Error): void {
    this.reader = undefined;
    const settle = this.settle;
    this.settle = undefined;
    settle?.(err);
  }
}

/**
 * HTTP/1.1 requests to the service over kept-alive connections, each request one write and its
 * answer read whole: the little of HTTP the protocol's answers use (a Content-Length or chunked
 * body), without `node:http`'s per-request objects and streams, which cost a publish more CPU
 * than the rest of the client. Concurrent requests each get a connection of their own.
 */
export class HttpExchange {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();

  constructor(
    private readonly target: DialTarget,
    /** The Host header's value. */
    private readonly host: string,
  ) {}

  /** Sends one request and resolves with its answer; rejects with an {@link ExchangeError} when none came. */
  async send(method: string, path: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number | undefined): Promise<RawAnswer> {
    if (INVALID_PATH.test(path)) throw new TypeError(`the request path ${JSON.stringify(path)} has characters HTTP does not allow`);
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.host}\r\n`;
    for (const [name, value] of Object.entries(headers)) {
      // A CR or LF in a value would end the header and let the value write headers of its own.
      if (INVALID_HEADER_VALUE.test(value)) throw new TypeError(`the ${name} header has characters a header may not hold (only printable ASCII)`);
      head += `${name}: ${value}\r\n`;
    }
    if (body !== undefined) head += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
    head += '\r\n';
    const connection = await this.acquire(timeoutMs);
    let outcome: { answer: RawAnswer; reusable: boolean };
    try {
      outcome = await connection.exchange(body === undefined ? head : head + body, method === 'HEAD', timeoutMs);
    } catch (err) {
      connection.destroy();
      throw err;
    }
    if (outcome.reusable && !connection.closed) {
      connection.idle();
      this.idle.push(connection);
    } else connection.destroy();
    return outcome.answer;
  }

  /** Closes every connection. */
  close(): void {
    for (const connection of this.all) connection.destroy();
    this.all.clear();
    this.idle.length = 0;
  }

  private async acquire(timeoutMs: number | undefined): Promise<Connection> {
    for (let connection = this.idle.pop(); connection; connection = this.idle.pop()) {
      if (!connection.closed && !connection.socket.destroyed && !connection.socket.readableEnded) return connection;
    }
    const socket = 'socketPath' in this.target ? netConnect({ path: this.target.socketPath }) : netConnect({ host: this.target.host, port: this.target.port });
    // Its listeners before anything can happen on the socket: no error goes unheard.
    const connection = new Connection(socket, (closed) => {
      this.all.delete(closed);
      const at = this.idle.indexOf(closed);
      if (at !== -1) this.idle.splice(at, 1);
    });
    this.all.add(connection);
    await new Promise<void>((resolve, reject) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => socket.destroy(new ExchangeError(`no connection within ${timeoutMs} ms`, 'ETIMEDOUT')), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', failed);
        socket.off('close', closed);
        resolve();
      });
      const failed = (err: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        reject(err instanceof ExchangeError ? err : new ExchangeError(err.message, err.code ?? 'EIO', { cause: err }));
      };
      // Destroyed while connecting (the client closed): no error follows, only this.
      const closed = (): void => failed(new ExchangeError('the connection closed before it was established', 'ECONNRESET'));
      socket.once('error', failed);
      socket.once('close', closed);
    });
    return connection;
  }
}
