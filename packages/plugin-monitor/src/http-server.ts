import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** What the endpoints report on. */
export interface ProbeSource {
  /** Files with unusable content not repaired yet; non-empty means not ready. */
  corruptFiles(): string[];
  /** False until the first validation pass completes. */
  validated(): boolean;
  readonly registry: Registry;
}

/**
 * The monitor's HTTP endpoints, for a supervisor and Prometheus: `/livez` (the process answers),
 * `/readyz` (503 while a file is corrupt and unrepaired, or before the first validation pass)
 * and `/metrics` (Prometheus text). Bound to 127.0.0.1 by default: it is for the local host.
 */
export class MonitorHttpServer {
  private server: Server | undefined;

  constructor(private readonly source: ProbeSource) {}

  /** Starts listening; resolves with the bound address (useful with port 0). */
  async listen(port: number, host: string): Promise<AddressInfo> {
    // node:http (and net, stream under it) is imported by the first listen: only a daemon serves.
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      const url = (req.url ?? '/').split('?')[0];
      const reply = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      };
      if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n');
      if (url === '/livez') return reply(200, 'ok\n');
      if (url === '/readyz') {
        const corrupt = this.source.corruptFiles();
        if (!this.source.validated()) return reply(503, JSON.stringify({ ready: false, reason: 'the first validation pass has not completed' }), 'application/json');
        return reply(corrupt.length === 0 ? 200 : 503, JSON.stringify({ ready: corrupt.length === 0, corrupt }), 'application/json');
      }
      if (url === '/metrics') {
        this.source.registry.metrics().then(
          (text) => reply(200, text, this.source.registry.contentType),
          (err: unknown) => reply(500, `metrics failed: ${(err as Error).message}\n`),
        );
        return;
      }
      reply(404, 'not found: try /livez, /readyz or /metrics\n');
    });
    // Health probes must not be held up by keep-alive sockets when the daemon stops.
    server.keepAliveTimeout = 1_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return server.address() as AddressInfo;
  }

  /** The bound address, while listening. */
  address(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
