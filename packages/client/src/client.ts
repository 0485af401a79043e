import path from 'node:path';
import type { CommitResult, DocumentVersion, JsonValue, WriteCondition } from '@prevention/core/contract';
import { findPreventionBinary, spawnServe, waitUntilHealthy } from './auto-start.js';
import { ClientCodes, isClientError, PreventionClientError } from './client-error.js';
import { findProjectRoot, socketPathOf } from './project-root.js';
import { RemoteBus } from './remote-bus.js';
import { ServiceCalls, type ServiceHealth } from './service-calls.js';
import { Transport, type Endpoint } from './transport.js';

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** The service's socket; default found from `cwd` (see {@link findProjectRoot}). */
  socketPath?: string;
  /** Where the project search starts; default `process.cwd()`. */
  cwd?: string;
  /** A TCP service (`http://127.0.0.1:7878`) instead of the socket; needs `token`. */
  url?: string | URL;
  /** The bearer token of a TCP service; default `PREVENTION_SERVE_TOKEN`. */
  token?: string;
  /**
   * Start `prevention serve` (detached) when the socket does not answer; default true. Never
   * for a `url`. The binary: `PREVENTION_BIN`, else `node_modules/.bin/prevention` from the
   * project upwards, else `prevention` on the PATH.
   */
  autoStart?: boolean;
  /** How long to wait for a started service to answer; default 20 s. */
  startTimeoutMs?: number;
  /** Give up waiting for an answer after this long; default 60 s (a commit may wait 30 s for a lock). */
  timeoutMs?: number;
  /** Attempts of a publish that got no answer, with the same Idempotency-Key; default 3. */
  publishAttempts?: number;
}

/** Options of {@link PreventionClient.update}. */
export interface UpdateOptions {
  /** Attempts before a concurrent writer wins for good (`PREVENTION_PRECONDITION_FAILED`); default 25. */
  attempts?: number;
}

/** A client-side updater: gets the latest document, mutates it or returns the next one. */
export type RemoteUpdater<T> = (draft: T) => T | void | Promise<T | void>;

/**
 * Pauses between two attempts of an optimistic update: random up to a ceiling that starts
 * about one commit long and doubles, so writers that keep colliding spread out (full jitter).
 */
const FIRST_RETRY_CEILING_MS = 10;
const MAX_RETRY_PAUSE_MS = 500;

/**
 * A connection to a project's `prevention serve`: the engine's read, write and update and its
 * message bus, with the engine in the service. Files are named relative to the project root
 * (an absolute path inside the project is taken relative to it).
 */
export class PreventionClient {
  private readonly buses = new Set<RemoteBus>();

  constructor(
    private readonly calls: ServiceCalls,
    private readonly transport: Transport,
    /** The project root, when the client found or was told it (undefined for a `url`). */
    readonly root: string | undefined,
  ) {}

  /** What the service says about itself (its pid, root and version). */
  health(): Promise<ServiceHealth> {
    return this.calls.health();
  }

  /** The committed document (the file's initial one when it does not exist yet). */
  async read<T = JsonValue>(file: string): Promise<T> {
    return (await this.readVersion<T>(file)).document;
  }

  /** The committed document with its version (sha256; undefined for a file not created yet). */
  readVersion<T = JsonValue>(file: string): Promise<DocumentVersion<T>> {
    return this.calls.readVersion<T>(this.relative(file));
  }

  /** Replaces the document; with a condition, only on top of that version (else `PREVENTION_PRECONDITION_FAILED`). */
  write(file: string, document: unknown, condition?: WriteCondition): Promise<CommitResult> {
    return this.calls.write(this.relative(file), document, condition);
  }

  /** Applies an RFC 6902 JSON Patch to the latest version, under the lock in the service. */
  jsonPatch(file: string, operations: JsonValue[], condition?: WriteCondition): Promise<CommitResult> {
    return this.calls.patch(this.relative(file), operations, 'json-patch', condition);
  }

  /** Applies an RFC 7396 merge patch to the latest version, under the lock in the service. */
  mergePatch(file: string, patch: JsonValue, condition?: WriteCondition): Promise<CommitResult> {
    return this.calls.patch(this.relative(file), patch, 'merge-patch', condition);
  }

  /**
   * Runs `updater` on the latest version here and commits the result only on top of that
   * version (optimistic: `If-Match` its ETag, `If-None-Match: *` for a new file). When another
   * writer got there first, it reads again and runs `updater` again, after a jittered pause,
   * up to `attempts` times. `updater` may run more than once: keep it free of side effects.
   */
  async update<T = JsonValue>(file: string, updater: RemoteUpdater<T>, options: UpdateOptions = {}): Promise<CommitResult> {
    const attempts = options.attempts ?? 25;
    const relative = this.relative(file);
    for (let attempt = 1; ; attempt++) {
      const { document, sha256 } = await this.calls.readVersion<T>(relative);
      const next = (await updater(document)) ?? document;
      try {
        return await this.calls.write(relative, next, sha256 === undefined ? { ifNoneMatch: '*' } : { ifMatch: sha256 });
      } catch (err) {
        if (!isClientError(err, ClientCodes.PRECONDITION_FAILED) || attempt >= attempts) throw err;
        const ceiling = Math.min(MAX_RETRY_PAUSE_MS, FIRST_RETRY_CEILING_MS * 2 ** (attempt - 1));
        await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
      }
    }
  }

  /** The message bus of a shared context file. */
  bus(file: string): RemoteBus {
    const bus = new RemoteBus(this.calls, this.relative(file));
    this.buses.add(bus);
    return bus;
  }

  /** Stops every subscription and closes the connections. The service keeps running. */
  async close(): Promise<void> {
    await Promise.all([...this.buses].map((bus) => bus.close()));
    this.buses.clear();
    this.transport.close();
  }

  private relative(file: string): string {
    if (!path.isAbsolute(file)) return file.split(path.sep).join('/');
    if (this.root === undefined) throw new PreventionClientError(ClientCodes.USAGE, `${file}: name files relative to the project root when connecting by URL`);
    const relative = path.relative(this.root, file);
    if (relative.startsWith('..') || path.isAbsolute(relative)) throw new PreventionClientError(ClientCodes.USAGE, `${file} is outside the project at ${this.root}`);
    return relative.split(path.sep).join('/');
  }
}

/** Where to connect, and the project root when known. */
function endpointOf(options: ConnectOptions): { endpoint: Endpoint; root: string | undefined } {
  if (options.url !== undefined) {
    return { endpoint: { url: new URL(options.url), token: options.token ?? process.env.PREVENTION_SERVE_TOKEN }, root: undefined };
  }
  if (options.socketPath !== undefined) {
    const socketPath = path.resolve(options.socketPath);
    // A socket in its default place names its project; one elsewhere does not (no autoStart).
    const root = path.dirname(path.dirname(socketPath));
    return { endpoint: { socketPath }, root: socketPathOf(root) === socketPath ? root : undefined };
  }
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const root = findProjectRoot(cwd);
  if (root === undefined) {
    throw new PreventionClientError(ClientCodes.USAGE, `no prevention project found from ${cwd} upwards (no prevention.config.* and no .prevention/prevention.sock)`, {
      hint: 'run in the project, pass cwd or socketPath, or create a config with `prevention init`',
    });
  }
  return { endpoint: { socketPath: socketPathOf(root) }, root };
}

/** Services this process started, by root: it says so once. */
const started = new Set<string>();

/**
 * Connects to the project's `prevention serve`, starting it when it does not answer (unless
 * `autoStart` is false, or for a `url`). Resolves once the service answers its health check.
 */
export async function connect(options: ConnectOptions = {}): Promise<PreventionClient> {
  const { endpoint, root } = endpointOf(options);
  const transport = new Transport(endpoint);
  const calls = new ServiceCalls(transport, { timeoutMs: options.timeoutMs ?? 60_000, publishAttempts: options.publishAttempts ?? 3 });
  const client = new PreventionClient(calls, transport, root);
  const answers = (): Promise<boolean> => calls.health().then(
    () => true,
    (err: unknown) => {
      if (isClientError(err, ClientCodes.UNAVAILABLE) || isClientError(err, ClientCodes.TRANSPORT)) return false;
      throw err;
    },
  );
  if (await answers()) return client;
  if (options.autoStart === false || options.url !== undefined || root === undefined) {
    try {
      await calls.health(); // throws the reason nothing answered, unless it answers now
      return client;
    } catch (err) {
      transport.close();
      throw err;
    }
  }
  const binary = findPreventionBinary(root);
  let pid: number | undefined;
  try {
    pid = await spawnServe(root, binary);
    await waitUntilHealthy(answers, root, binary, options.startTimeoutMs ?? 20_000);
  } catch (err) {
    transport.close();
    throw err;
  }
  if (!started.has(root)) {
    started.add(root);
    process.stderr.write(`prevention: started \`prevention serve\` for ${root}${pid === undefined ? '' : ` (pid ${pid})`}; its log is ${path.join(root, '.prevention', 'serve.log')}\n`);
  }
  return client;
}
