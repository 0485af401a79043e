import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { TempDirs } from '@prevention/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpExchange } from './http-exchange.js';
import { connect, isClientError } from './index.js';

const dirs = new TempDirs();
const servers: Server[] = [];
const exchanges: HttpExchange[] = [];
afterEach(async () => {
  for (const exchange of exchanges.splice(0)) exchange.close();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  await dirs.removeAll();
});

interface Received {
  head: string;
  body: string;
  connection: number;
}

/**
 * A scripted server on a Unix socket: it reads each request (head and Content-Length body) and
 * answers it with what `answer` writes to the socket, so each test says byte for byte what the
 * client gets. Every request is recorded with the number of the connection it came on.
 */
async function scripted(answer: (request: Received, socket: Socket, index: number) => void): Promise<{ socketPath: string; received: Received[]; closed: Array<Promise<void>> }> {
  const socketPath = path.join(await dirs.make('prevention-exchange-'), 's.sock');
  const received: Received[] = [];
  /** Per connection, in order: resolves once it is closed on both sides. */
  const closed: Array<Promise<void>> = [];
  let connections = 0;
  const server = createServer((socket) => {
    const connection = ++connections;
    closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
    let pending = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = pending.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        const request = { head, body: pending.subarray(end + 4, end + 4 + length).toString('utf8'), connection };
        pending = pending.subarray(end + 4 + length);
        received.push(request);
        answer(request, socket, received.length - 1);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return { socketPath, received, closed };
}

function json(status: number, body: unknown, extra = ''): string {
  const text = JSON.stringify(body);
  return `HTTP/1.1 ${status} X\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n${extra}\r\n${text}`;
}

function exchangeOn(socketPath: string): HttpExchange {
  const exchange = new HttpExchange({ socketPath }, 'localhost');
  exchanges.push(exchange);
  return exchange;
}

describe('HttpExchange', () => {
  it('sends head and body in one request, and reuses the connection for the next request', async () => {
    const { socketPath, received } = await scripted((_request, socket) => socket.write(json(201, { ok: true })));
    const exchange = exchangeOn(socketPath);
    const first = await exchange.send('POST', '/v1/events/a.json', { 'Content-Type': 'application/json', 'Idempotency-Key': 'k1' }, '{"type":"é"}', 1_000);
    const second = await exchange.send('GET', '/v1/health', {}, undefined, 1_000);
    expect(first.status).toBe(201);
    expect(JSON.parse(first.body.toString('utf8'))).toEqual({ ok: true });
    expect(second.headers['content-type']).toBe('application/json');
    expect(received.map((r) => r.connection)).toEqual([1, 1]);
    expect(received[0]!.head).toMatch(/^POST \/v1\/events\/a\.json HTTP\/1\.1\r\nHost: localhost\r\n/);
    expect(received[0]!.head).toContain('Idempotency-Key: k1');
    expect(received[0]!.body).toBe('{"type":"é"}');
  });

  it('reads a chunked body, an answer split across many writes, and one whose body runs to the end of the connection', async () => {
    const { socketPath } = await scripted((_request, socket, index) => {
      if (index === 0) {
        const answer = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nX-A: 2\r\n\r\n4\r\n{"a"\r\n3;ext=1\r\n:12\r\n1\r\n}\r\n0\r\n\r\n';
        // One byte per write: the reader must wait for the rest of every part.
        for (const byte of Buffer.from(answer)) socket.write(Buffer.from([byte]));
      } else {
        socket.end('HTTP/1.1 200 OK\r\n\r\n{"until":"close"}');
      }
    });
    const exchange = exchangeOn(socketPath);
    const chunked = await exchange.send('GET', '/x', {}, undefined, 1_000);
    expect(chunked.body.toString('utf8')).toBe('{"a":12}');
    expect(chunked.headers['x-a']).toBe('1, 2');
    const untilClose = await exchange.send('GET', '/y', {}, undefined, 1_000);
    expect(untilClose.body.toString('utf8')).toBe('{"until":"close"}');
  });

  it('opens a new connection after an answer that says Connection: close, or after the server closed an idle one', async () => {
    const { socketPath, received, closed } = await scripted((_request, socket, index) => {
      if (index === 0) socket.write(json(200, {}, 'Connection: close\r\n'));
      else if (index === 1) {
        socket.write(json(200, {}));
        socket.end();
      } else socket.write(json(200, {}));
    });
    const exchange = exchangeOn(socketPath);
    expect((await exchange.send('GET', '/v1/health', {}, undefined, 1_000)).status).toBe(200);
    expect((await exchange.send('GET', '/v1/health', {}, undefined, 1_000)).status).toBe(200);
    // Closed on both sides: the client has seen the server end the idle connection.
    await closed[1];
    expect((await exchange.send('GET', '/v1/health', {}, undefined, 1_000)).status).toBe(200);
    expect(received.map((r) => r.connection)).toEqual([1, 2, 3]);
  });

  it('fails with the connection code when the server closes without answering, or nothing listens', async () => {
    const { socketPath } = await scripted((_request, socket) => socket.destroy());
    const exchange = exchangeOn(socketPath);
    await expect(exchange.send('GET', '/v1/health', {}, undefined, 1_000)).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(exchangeOn(`${socketPath}.missing`).send('GET', '/v1/health', {}, undefined, 1_000)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a request in flight, or still connecting, when the exchange is closed fails instead of hanging', async () => {
    const { socketPath, received } = await scripted(() => undefined);
    const exchange = exchangeOn(socketPath);
    const connecting = exchange.send('GET', '/v1/health', {}, undefined, undefined);
    exchange.close();
    await expect(connecting).rejects.toMatchObject({ code: 'ECONNRESET' });
    const waiting = exchange.send('GET', '/v1/health', {}, undefined, undefined);
    // Sent and received: the request is waiting for its answer.
    while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    exchange.close();
    await expect(waiting).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('fails with ETIMEDOUT when no answer comes in time', async () => {
    const { socketPath } = await scripted(() => undefined);
    await expect(exchangeOn(socketPath).send('GET', '/v1/health', {}, undefined, 50)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('refuses a header value with a line break (it would write headers of its own) and sends nothing', async () => {
    const { socketPath, received } = await scripted((_request, socket) => socket.write(json(200, {})));
    const exchange = exchangeOn(socketPath);
    await expect(exchange.send('POST', '/v1/events/a.json', { 'Idempotency-Key': 'k\r\nX-Evil: 1' }, '{}', 1_000)).rejects.toBeInstanceOf(TypeError);
    await expect(exchange.send('GET', '/v1/files/a b.json', {}, undefined, 1_000)).rejects.toBeInstanceOf(TypeError);
    expect(received).toEqual([]);
  });

  it('refuses an answer that is not HTTP', async () => {
    const { socketPath } = await scripted((_request, socket) => socket.write('SSH-2.0-OpenSSH\r\n\r\n'));
    await expect(exchangeOn(socketPath).send('GET', '/v1/health', {}, undefined, 1_000)).rejects.toMatchObject({ code: 'EPROTO' });
  });
});

describe('the client over HttpExchange', () => {
  it('a publish whose connection broke before the answer is sent again with the same Idempotency-Key', async () => {
    const event = { id: 'e', seq: 1, type: 't', source: 's', timestamp: 'now', payload: null };
    const { socketPath, received } = await scripted((request, socket) => {
      if (request.head.startsWith('GET /v1/health')) socket.write(json(200, { status: 'ok', pid: 1, root: '/', version: '0' }));
      else if (received.filter((r) => r.head.startsWith('POST')).length === 1) socket.destroy();
      else socket.write(json(201, event));
    });
    const client = await connect({ socketPath, autoStart: false });
    try {
      expect(await client.bus('a.json').publish({ type: 't', source: 's' })).toEqual(event);
    } finally {
      await client.close();
    }
    const keys = received.filter((r) => r.head.startsWith('POST')).map((r) => /\r\nIdempotency-Key: (.+)/.exec(r.head)?.[1]);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBeDefined();
    expect(keys[1]).toBe(keys[0]);
  });

  it('a header value the protocol cannot carry is a typed usage error', async () => {
    const { socketPath } = await scripted((_request, socket) => socket.write(json(200, { status: 'ok', pid: 1, root: '/', version: '0' })));
    const client = await connect({ socketPath, autoStart: false });
    try {
      const error = await client.bus('a.json').publish({ type: 't', source: 's' }, { idempotencyKey: 'a\nb' }).catch((err: unknown) => err);
      expect(isClientError(error, 'PREVENTION_USAGE')).toBe(true);
    } finally {
      await client.close();
    }
  });
});
