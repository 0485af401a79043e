import net from 'node:net';

/** Where to cut the next COMMIT's connection. */
export type CutMode =
  /** The COMMIT never reaches the server. */
  | 'before-commit'
  /** The COMMIT reaches the server, which commits; its answer never reaches the client. */
  | 'after-commit';

/** A simple-protocol query message (`Q`, length, text, NUL) whose text is COMMIT. */
function isCommitMessage(chunk: Buffer): boolean {
  for (let i = chunk.indexOf(0x51); i >= 0 && i + 5 < chunk.length; i = chunk.indexOf(0x51, i + 1)) {
    const length = chunk.readInt32BE(i + 1);
    if (length === 4 + 'COMMIT'.length + 1 && chunk.toString('latin1', i + 5, i + 11) === 'COMMIT') return true;
  }
  return false;
}

/**
 * A TCP proxy in front of the server that, once armed, cuts the connection carrying the next
 * COMMIT: a network failure at the one moment where the client cannot know the outcome. Both
 * sockets are destroyed, as a dropped link would leave them.
 */
export class CuttingProxy {
  private armed: CutMode | undefined;
  private readonly sockets = new Set<net.Socket>();
  /** How many COMMITs were cut, by mode. */
  readonly cuts: Record<CutMode, number> = { 'before-commit': 0, 'after-commit': 0 };

  private readonly server: net.Server;

  private constructor(target: { host: string; port: number }) {
    this.server = net.createServer((client) => this.relay(client, target));
  }

  /** The port clients connect to. */
  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  static async start(target: { host: string; port: number }): Promise<CuttingProxy> {
    const proxy = new CuttingProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  private every: number | undefined;
  private refusing = false;

  /** Sockets of connections already cut, left to their timer. */
  private readonly cutSockets = new Set<net.Socket>();

  /**
   * Makes the server unreachable through the proxy (every open connection but one being cut
   * dropped, every new one refused), or reachable again.
   */
  refuseConnections(refuse: boolean): void {
    this.refusing = refuse;
    if (refuse) for (const socket of this.sockets) if (!this.cutSockets.has(socket)) socket.destroy();
  }
  private commits = 0;

  /** Cuts the connection of the next COMMIT sent through the proxy. */
  arm(mode: CutMode): void {
    this.armed = mode;
  }

  /** From now on cuts every `n`th COMMIT, before and after reaching the server in turn. */
  cutEvery(n: number): void {
    this.every = n;
  }

  /** The cut to make of a COMMIT now passing, if any. */
  private cutFor(): CutMode | undefined {
    if (this.armed) {
      const mode = this.armed;
      this.armed = undefined;
      return mode;
    }
    if (this.every === undefined) return undefined;
    this.commits += 1;
    if (this.commits % this.every !== 0) return undefined;
    return (this.commits / this.every) % 2 === 1 ? 'after-commit' : 'before-commit';
  }

  private relay(client: net.Socket, target: { host: string; port: number }): void {
    if (this.refusing) {
      client.on('error', () => undefined);
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    }
    let cut = false;
    const drop = () => {
      cut = true;
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (cut) return;
      const mode = (this.armed || this.every) && isCommitMessage(chunk) ? this.cutFor() : undefined;
      if (mode) {
        this.cuts[mode] += 1;
        if (mode === 'before-commit') return drop();
        // Forward the COMMIT, swallow whatever comes back, and cut once the server had time to
        // commit (the test then checks that it did).
        upstream.write(chunk);
        cut = true;
        this.cutSockets.add(client).add(upstream);
        setTimeout(() => {
          client.destroy();
          upstream.destroy();
        }, 300);
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!cut) client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
