import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface ReceivedRequest {
  path: string;
  body: unknown;
  /** `performance.now()` when the request arrived. */
  at: number;
}

/** Decides the answer to the n-th request (from 0). */
export type Responder = (index: number, req: IncomingMessage, res: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 that records what it receives. */
export class HttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  private server: Server | undefined;

  constructor(private respond: Responder = (_i, _req, res) => res.end('ok')) {}

  /** Starts listening; returns the base URL. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const at = performance.now();
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const index = this.requests.length;
        this.requests.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'), at });
        this.respond(index, req, res);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
