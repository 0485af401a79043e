import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { BusEvent, MessageBusApi } from '@prevention/core';

/** How a followed stream is framed. */
export type StreamFormat = 'ndjson' | 'sse';

/** What to follow. */
export interface FollowOptions {
  format: StreamFormat;
  /** Deliver events after this seq; undefined: only events published after the request. */
  since: number | undefined;
  types: string[];
  sources: string[];
  heartbeatMs: number;
  /** Fires when the server stops: the stream then ends. */
  stopping: AbortSignal;
}

/** One event as SSE: `id` is the seq (what `Last-Event-ID` gives back), `event` its type. */
function sseFrame(event: BusEvent): string {
  // A type holding a line break would end the field early: such an event goes by `data` alone.
  const name = /[\r\n]/.test(event.type) ? '' : `event: ${event.type}\n`;
  return `id: ${event.seq}\n${name}data: ${JSON.stringify(event)}\n\n`;
}

/**
 * Streams a file's events to one client with `bus.subscribe`: every event after `since`, once,
 * in seq order, whoever published it. A slow reader is waited for (the subscription's next
 * event waits on the socket draining), so nothing is buffered without bound. Heartbeats (a
 * blank NDJSON line, an SSE comment) keep proxies and clients from taking silence for a dead
 * peer. The stream ends when the client goes away or the server stops.
 */
export async function followEvents(req: IncomingMessage, res: ServerResponse, bus: MessageBusApi, options: FollowOptions): Promise<void> {
  const since = options.since ?? (await bus.lastSeq());
  res.writeHead(200, {
    'Content-Type': options.format === 'sse' ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson',
    'Cache-Control': 'no-cache',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  const done = new AbortController();
  const end = (): void => done.abort();
  req.once('close', end);
  res.once('close', end);
  options.stopping.addEventListener('abort', end, { once: true });
  const write = async (text: string): Promise<void> => {
    if (done.signal.aborted) return;
    if (!res.write(text)) await Promise.race([once(res, 'drain'), once(done.signal, 'abort')]);
  };
  const heartbeat = setInterval(() => void write(options.format === 'sse' ? ': heartbeat\n\n' : '\n'), options.heartbeatMs);
  const unsubscribe = bus.subscribe(
    async (event) => {
      if (options.sources.length > 0 && !options.sources.includes(event.source)) return;
      await write(options.format === 'sse' ? sseFrame(event) : `${JSON.stringify(event)}\n`);
    },
    { since, ...(options.types.length > 0 ? { types: options.types } : {}) },
  );
  try {
    if (!done.signal.aborted) await once(done.signal, 'abort');
  } finally {
    clearInterval(heartbeat);
    unsubscribe();
    options.stopping.removeEventListener('abort', end);
    res.end();
  }
}
