import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createEngine, ErrorCodes, loadConfig, NodeFileSystem, PreventionError, type EngineApi, type Logger, type LoggerOptions } from '@prevention/core';
import { InstanceLock, instancePaths } from './instance-lock.js';
import { ServeHandler } from './serve-handler.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The default limit on a request body (a file's smaller maxBytes lowers it). */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
/** How often a follow stream sends a heartbeat. */
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** How long a publish may wait for the clients just answered (see ServeOptions.joinWaitMs). */
export const DEFAULT_JOIN_WAIT_MS = 10;
/** How long a stop waits for requests in flight before cutting their connections. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

/** Options of {@link startServe}. */
export interface ServeOptions {
  /** Where the config search starts; default `process.cwd()`. The project root is the config file's directory. */
  cwd?: string;
  /** An explicit config file (relative to `cwd`). */
  configFile?: string;
  /** The Unix socket; default `<root>/.prevention/prevention.sock`. */
  socketPath?: string;
  /** Also listen on this TCP port of 127.0.0.1 (0 picks a free one); needs `token`. */
  port?: number;
  /** The bearer token every TCP request must carry. Never logged. */
  token?: string;
  /** Largest request body accepted; default 8 MiB. */
  maxBodyBytes?: number;
  /** Heartbeat interval of follow streams; default 15 s. */
  heartbeatMs?: number;
  /**
   * How long a publish may wait for the clients just answered on its file to send their next
   * one, so that clients publishing in a loop share one commit per round instead of two;
   * default 10 ms, 0 never waits. A client that misses a round is not waited for again until
   * it comes back in time.
   */
  joinWaitMs?: number;
  /**
   * How long a stop waits for the requests in flight; default 10 s. Past it their connections
   * are cut (a client that never sends the rest of its body cannot hold the stop forever); a
   * commit already under way still finishes, as the engine closes only after it.
   */
  drainTimeoutMs?: number;
  /** A logger, or options for the engine's default one. */
  logger?: Logger | LoggerOptions;
}

/** A running service. */
export interface RunningServe {
  readonly engine: EngineApi;
  /** The project root. */
  readonly root: string;
  readonly socketPath: string;
  /** The TCP port, when listening on one. */
  readonly port: number | undefined;
  /** Fires when the instance lock was lost: another server may be taking over, so this one must stop. */
  readonly lockLost: AbortSignal;
  /**
   * Stops: no new connections, in-flight requests finish (follow streams end), the engine
   * closes (queued commits, plugins), the socket and pid file are removed.
   */
  close(): Promise<void>;
}

/**
 * Binds a Unix socket owner-only. The mode comes from the umask at bind time, so it is
 * narrowed just around `listen`, which binds synchronously: no other code of this process
 * runs (or creates files) while it is in effect, and the socket never exists with a wider mode.
 */
function listenOnSocket(server: Server, socket: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const umask = process.umask(0o177);
    try {
      server.listen(socket, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      process.umask(umask);
    }
  });
}

function listenOnPort(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections with no request in progress would hold `close` open.
    server.closeIdleConnections();
  });
}

/**
 * Starts `prevention serve` in this process: one engine for the project (its config, plugins
 * and monitor, `background: true`) answering the protocol of docs/serve.md on the project's
 * socket (0600, in a 0700 folder), and on 127.0.0.1:`port` with a bearer token when asked.
 * Refuses with `PREVENTION_SERVE_RUNNING` when a server already runs for the project.
 */
export async function startServe(options: ServeOptions = {}): Promise<RunningServe> {
  if (options.port !== undefined && !options.token) {
    throw new PreventionError(ErrorCodes.USAGE, 'serving on TCP needs a bearer token: set PREVENTION_SERVE_TOKEN or pass --token-file', { details: { port: options.port } });
  }
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const loaded = await loadConfig(cwd, options.configFile);
  const root = loaded.file ? path.dirname(loaded.file) : cwd;
  const fs = new NodeFileSystem();
  const instance = await InstanceLock.acquire(fs, root, instancePaths(root, options.socketPath));
  let engine: EngineApi | undefined;
  const servers: Server[] = [];
  try {
    // Before listening: whoever the socket answers can read the pid file.
    await instance.writePid();
    engine = await createEngine({ cwd, ...(loaded.file ? { configFile: loaded.file } : { config: false }), ...(options.logger ? { logger: options.logger } : {}), background: true });
    const handler = new ServeHandler({ engine, fs, root, version, maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, joinWaitMs: options.joinWaitMs ?? DEFAULT_JOIN_WAIT_MS });
    const local = createServer(handler.listener());
    servers.push(local);
    await listenOnSocket(local, instance.paths.socket);
    let port: number | undefined;
    if (options.port !== undefined) {
      const tcp = createServer(handler.listener(options.token));
      servers.push(tcp);
      port = await listenOnPort(tcp, options.port);
    }
    const opened = engine;
    let closing: Promise<void> | undefined;
    return {
      engine: opened,
      root,
      socketPath: instance.paths.socket,
      port,
      lockLost: instance.lost,
      close: () =>
        (closing ??= (async () => {
          const closed = Promise.all(servers.map(closeServer));
          let timer: NodeJS.Timeout | undefined;
          const overran = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS)));
          await Promise.race([handler.drain(), overran]);
          clearTimeout(timer);
          // Every request is answered (or out of time): what is still connected is cut.
          for (const server of servers) server.closeAllConnections();
          await closed;
          await opened.close();
          await instance.release();
        })()),
    };
  } catch (err) {
    await Promise.all(servers.filter((server) => server.listening).map(closeServer));
    await engine?.close();
    await instance.release();
    throw err;
  }
}
