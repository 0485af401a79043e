import net from 'node:net';
import path from 'node:path';
import type { BusEvent, FileSystem, JsonValue, Logger } from '../contract.js';
import { ErrorCodes, PreventionError, systemErrorCode, type ErrorCode, type ValidationIssue } from '../errors.js';
import { JoinWait } from './join-wait.js';

/**
 * Cross-process combining of publishes. One process per shared file (the first to bind the
 * file's relay socket, in its `.prevention` folder) leads: other processes hand their publishes
 * to it over the socket instead of queueing on the file lock, it commits them in its own group
 * commit and answers each with its committed events. So N processes publishing cost about one
 * commit per round, not N lock hand-overs each re-reading the file.
 *
 * It is an optimisation only; the file lock and the engine's pipeline keep every promise:
 * - a leader that cannot be reached, or a socket that cannot be bound, means "commit it yourself";
 * - an answer is sent only once the commit is durable and verified;
 * - a leader gone without answering (killed) leaves the publish's outcome unknown, so the
 *   publisher commits it itself, under the lock, only if none of its event ids is in the file
 *   yet; the leader applies the same rule to every relayed publish, so each lands exactly once
 *   whoever commits it.
 *
 * The socket is created with the default permissions (owner only, less the umask), so only
 * processes that could write the file themselves can hand publishes to it.
 */

/** A publish as handed over: the event's fields, its id chosen by the publisher. */
export interface RelayedEvent {
  id: string;
  type: string;
  source: string;
  payload: JsonValue;
  correlationId?: string;
}

/** The publisher of a relayed publish, as its leader sees it. */
export interface RelayedPublisher {
  /** False once the publisher stopped waiting: its events must not be committed after that. */
  live(): boolean;
  /**
   * Called with its committed events as the commit that took them completes, before the
   * commit's other callers hear of it: the answer goes out before this process goes on to its
   * own next publish.
   */
  committed(events: BusEvent[]): void;
}

/** What the leading process does with publishes handed to it. */
export interface RelayHost {
  /**
   * Commits `events` published by another process, skipping them if their ids are in the file
   * already; once `publisher.live()` is false they must not be committed if they have not been
   * yet. `declined`: not taken, and the publisher should commit its own from now on;
   * `resigned`: not taken, and this process no longer leads.
   */
  commitRelayed(events: RelayedEvent[], publisher: RelayedPublisher): Promise<BusEvent[] | 'declined' | 'resigned'>;
}

/** How a publish handed to {@link PublishRelay.submit} ended. */
export type RelayOutcome =
  /** Another process committed it. */
  | { kind: 'committed'; events: BusEvent[] }
  /** Commit it yourself (this process leads, no leader answers, or the leader declined). */
  | { kind: 'local' }
  /** The leader went away without answering: commit it yourself, once (skipping ids already in the file). */
  | { kind: 'lost' }
  /** The leader's commit of it failed, as a commit of this process's own would have. */
  | { kind: 'failed'; error: PreventionError };

interface Request {
  n: number;
  events: RelayedEvent[];
}

type Answer = { n: number; events: BusEvent[] } | { n: number; local: true; resigned?: true } | { n: number; error: { code: string; message: string; file?: string; issues?: ValidationIssue[]; details?: Record<string, unknown> } };

/** A publisher's connection to the leading process, with the requests it has not answered yet. */
interface LeaderConnection {
  socket: net.Socket;
  waiting: Map<number, { resolve: (outcome: RelayOutcome | 'resigned') => void; timer: NodeJS.Timeout }>;
}

/** Longest socket path the platforms accept (`sun_path` is 104 bytes on macOS, 108 on Linux). */
const MAX_SOCKET_PATH = 103;

/** How many leaders a publish is offered to before its process commits it itself. */
const MAX_ATTEMPTS = 4;

/** Largest request or answer line accepted: a batch of publishes at the payload limit each. */
const MAX_LINE = 64 * 1024 * 1024;

const KNOWN_CODES = new Set<string>(Object.values(ErrorCodes));

/** Splits a stream into newline-terminated JSON messages. */
function onLines(socket: net.Socket, handle: (message: unknown) => void): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    if (buffered.length > MAX_LINE) {
      socket.destroy();
      return;
    }
    let end: number;
    while ((end = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        socket.destroy();
        return;
      }
      handle(message);
    }
  });
}

/** Options of a {@link PublishRelay}. */
export interface PublishRelayOptions {
  /** The socket's path; a path too long for a socket disables the relay. */
  socketPath: string;
  fs: FileSystem;
  logger: Logger;
  /** A leader that has had nothing to do for this long stops leading (default 1 s). */
  idleMs?: number;
  /**
   * How long a leader holds its next commit for a publisher it has just answered to send its
   * next publish (default 5 ms); 0 never holds one.
   */
  joinWaitMs?: number;
  /**
   * How long a closing leader keeps leading, at most, while the publishers it serves keep
   * handing over publishes, each within four join waits of the one before (default 250 ms);
   * 0 hands over at once.
   */
  handOffMs?: number;
  /** How long a publisher waits for the leader's answer before committing itself, once. */
  answerTimeoutMs: number;
  /**
   * The sockets led by this engine's buses: another bus of the same engine commits its
   * publishes itself, since the engine's group commit already joins them with the leader's.
   */
  ledHere: Set<string>;
  /**
   * Awaited before each search for a leader: gets ready what this process needs to lead, so
   * that the first publish it hands over pays for that (as committing it would have) rather
   * than the first it commits after taking over, in the middle of the others' stream.
   */
  prepare?: () => Promise<void>;
}

/** The relay of one bus: the leader's socket server, or a publisher's connection to the leader. */
export class PublishRelay {
  private server: net.Server | undefined;
  private readonly accepted = new Set<net.Socket>();
  /** Relayed publishes this leader has not answered yet. */
  private leading = 0;
  /** Settle when the next relayed publish is received, or a publisher hangs up. */
  private readonly receiving: Array<() => void> = [];
  /** Resolve once no relayed publish is unanswered. */
  private readonly drained: Array<() => void> = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private connection: Promise<LeaderConnection | undefined> | undefined;
  private nextRequest = 1;
  private closed = false;
  private readonly idleMs: number;
  private readonly handOffMs: number;
  /** A closing leader hands over once no publish has come for this long. */
  private readonly quietMs: number;
  /** Holds a commit for the publishers about to hand over their next publish. */
  private readonly joinWait: JoinWait<net.Socket>;

  constructor(
    private readonly host: RelayHost,
    private readonly options: PublishRelayOptions,
  ) {
    this.idleMs = options.idleMs ?? 1000;
    this.handOffMs = options.handOffMs ?? 250;
    const joinWaitMs = options.joinWaitMs ?? 5;
    // A publisher in a loop sends its next publish within a join wait of its answer; on a
    // machine busy with many of them, a few of those waits.
    this.quietMs = 4 * joinWaitMs;
    this.joinWait = new JoinWait(joinWaitMs);
  }

  /**
   * `undefined` when the next commit may start at once; else (leading) resolves once the
   * publishers just answered have sent their next publish, or after the join wait, so that they
   * join that commit rather than the one after (see {@link JoinWait}).
   */
  nextCommit(): Promise<void> | undefined {
    return this.server ? this.joinWait.next() : undefined;
  }

  /** Whether a socket can live at this path on this platform. */
  static fits(socketPath: string): boolean {
    return process.platform !== 'win32' && Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH;
  }

  /** Hands `events` to the leading process, or says this process should commit them itself. */
  async submit(events: RelayedEvent[]): Promise<RelayOutcome> {
    let lost = false;
    // A leader that stops leading, or dies, sends its publishers to the next one (which may be
    // this process); an unknown outcome stays unknown whoever commits the events in the end.
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const outcome = await this.attempt(events);
      if (outcome === 'resigned') continue;
      if (outcome.kind === 'lost') {
        lost = true;
        continue;
      }
      return outcome.kind === 'local' && lost ? { kind: 'lost' } : outcome;
    }
    return { kind: lost ? 'lost' : 'local' };
  }

  private async attempt(events: RelayedEvent[]): Promise<RelayOutcome | 'resigned'> {
    if (this.closed) return { kind: 'local' };
    if (this.server) {
      this.stillBusy();
      return { kind: 'local' };
    }
    if (this.options.ledHere.has(this.options.socketPath)) return { kind: 'local' };
    const pending = (this.connection ??= this.connect());
    const leader = await pending;
    if (!leader || leader.socket.destroyed) {
      if (this.connection === pending) this.connection = undefined;
      // No leader to be found (none could be bound either); or this connection's leader has gone since: look again.
      return leader ? 'resigned' : { kind: 'local' };
    }
    return new Promise<RelayOutcome | 'resigned'>((resolve) => {
      const n = this.nextRequest++;
      const timer = setTimeout(() => {
        // A leader that does not answer in time is treated as gone: whatever it does later with
        // these events, it commits them only if they are not in the file yet.
        this.options.logger.warn({ socket: this.options.socketPath }, 'the process leading publishes did not answer in time; committing here');
        leader.socket.destroy();
      }, this.options.answerTimeoutMs);
      leader.waiting.set(n, { resolve, timer });
      leader.socket.ref();
      leader.socket.write(`${JSON.stringify({ n, events } satisfies Request)}\n`);
    });
  }

  /**
   * Stops leading or following. Leading, it first hands over gently: as long as the publishers
   * it serves keep handing over publishes, each within four join waits of the one before, it
   * commits them, for up to `handOffMs`; relayed publishes in flight are answered before it
   * returns. The process that leads next starts cold (its first commits cost tens of
   * milliseconds, and every publisher waits for them), which a burst that ends within the
   * hand-off never pays.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.connection?.then((leader) => leader?.socket.destroy()).catch(() => undefined);
    if (this.server) await this.handOff(performance.now() + this.handOffMs);
    this.resign();
    await this.answeredAll();
    for (const socket of this.accepted) socket.destroy();
  }

  /** Leads until `deadline`, until no publish has come for `quietMs`, until no publisher is left, or until it stopped leading (idle). */
  private async handOff(deadline: number): Promise<void> {
    for (;;) {
      await this.answeredAll();
      const wait = Math.min(this.quietMs, deadline - performance.now());
      if (!this.server || this.accepted.size === 0 || wait <= 0 || !(await this.stirred(wait))) return;
    }
  }

  /** True once a relayed publish is received or a publisher hangs up, false if neither happens within `ms`. */
  private stirred(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const came = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.receiving.splice(this.receiving.indexOf(came), 1);
        resolve(false);
      }, ms);
      this.receiving.push(came);
    });
  }

  /** Settles once every relayed publish received so far is answered. */
  private answeredAll(): Promise<void> {
    return this.leading === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.drained.push(resolve));
  }

  /** Connects to the leader; becomes the leader when there is none. `undefined`: commit locally. */
  private async connect(): Promise<LeaderConnection | undefined> {
    const { socketPath } = this.options;
    await this.options.prepare?.();
    const first = await tryConnect(socketPath);
    if (first instanceof net.Socket) return this.follow(first);
    if (first !== 'ENOENT' && first !== 'ECONNREFUSED') return undefined;
    // ECONNREFUSED: a socket file left by a leader that died. Another process may be replacing
    // it at the same moment; the loser of that race simply leads unseen until it goes idle.
    if (first === 'ECONNREFUSED') await this.options.fs.unlink(socketPath).catch(() => undefined);
    else await this.options.fs.mkdir(path.dirname(socketPath), { recursive: true, mode: 0o755 }).catch(() => undefined);
    if (await this.lead()) return undefined;
    const second = await tryConnect(socketPath);
    return second instanceof net.Socket ? this.follow(second) : undefined;
  }

  private follow(socket: net.Socket): LeaderConnection {
    const leader: LeaderConnection = { socket, waiting: new Map() };
    socket.unref();
    onLines(socket, (message) => this.answered(leader, message as Answer));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      for (const [n, waiter] of leader.waiting) {
        clearTimeout(waiter.timer);
        leader.waiting.delete(n);
        waiter.resolve({ kind: 'lost' });
      }
    });
    return leader;
  }

  private answered(leader: LeaderConnection, answer: Answer): void {
    const { socket, waiting } = leader;
    const waiter = waiting.get(answer.n);
    if (!waiter) return;
    clearTimeout(waiter.timer);
    waiting.delete(answer.n);
    if (waiting.size === 0) socket.unref();
    if ('events' in answer) waiter.resolve({ kind: 'committed', events: answer.events });
    else if ('local' in answer) {
      socket.destroy();
      if (answer.resigned) waiter.resolve('resigned');
      else {
        // The file is in a shape without event ids: only a publisher commits its own events there.
        this.closed = true;
        waiter.resolve({ kind: 'local' });
      }
    } else {
      const code = (KNOWN_CODES.has(answer.error.code) ? answer.error.code : ErrorCodes.INTERNAL) as ErrorCode;
      const { message, file, issues, details } = answer.error;
      waiter.resolve({ kind: 'failed', error: new PreventionError(code, message, { file, issues, details }) });
    }
  }

  /** Binds the socket; false when another process got there first (or binding is not possible here). */
  private async lead(): Promise<boolean> {
    const server = net.createServer((socket) => this.serve(socket));
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(this.options.socketPath, () => resolve(true));
    });
    if (!bound || this.closed) {
      server.close();
      return false;
    }
    server.unref();
    server.on('error', (err) => this.options.logger.warn({ err }, 'the publish relay socket failed'));
    this.server = server;
    this.options.ledHere.add(this.options.socketPath);
    this.stillBusy();
    return true;
  }

  private serve(socket: net.Socket): void {
    socket.unref();
    this.accepted.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.accepted.delete(socket);
      this.joinWait.gone(socket);
      this.stir();
    });
    // A publisher connects to hand over a publish: it is about to, as one just answered is.
    this.joinWait.answered(socket);
    onLines(socket, (message) => {
      const request = message as Request;
      let answered = false;
      const reply = (answer: Answer) => {
        if (answered || socket.destroyed) return;
        answered = true;
        let line: string;
        try {
          line = JSON.stringify(answer);
        } catch {
          // An error's details that JSON cannot carry (a cycle): the code and message still can.
          line = JSON.stringify('error' in answer ? { n: answer.n, error: { code: answer.error.code, message: answer.error.message, file: answer.error.file } } : answer);
        }
        socket.write(`${line}\n`);
      };
      if (!Array.isArray(request?.events) || typeof request.n !== 'number') {
        socket.destroy();
        return;
      }
      if (!this.server) {
        reply({ n: request.n, local: true, resigned: true });
        return;
      }
      this.leading++;
      this.stir();
      this.stillBusy();
      const committing = this.host.commitRelayed(request.events, {
        live: () => !socket.destroyed,
        committed: (events) => {
          reply({ n: request.n, events });
          this.joinWait.answered(socket);
        },
      });
      // After handing it over, so that it joins the commit this releases.
      this.joinWait.arrived(socket);
      committing
        .then(
          (events) => reply(events === 'declined' ? { n: request.n, local: true } : events === 'resigned' ? { n: request.n, local: true, resigned: true } : { n: request.n, events }),
          (err: unknown) => {
            const error = err instanceof PreventionError ? err : new PreventionError(ErrorCodes.INTERNAL, String((err as Error)?.message ?? err));
            reply({ n: request.n, error: { code: error.code, message: error.message, file: error.file, issues: error.issues, details: error.details } });
          },
        )
        .finally(() => {
          this.leading--;
          if (this.leading === 0) for (const resolve of this.drained.splice(0)) resolve();
          if (this.server) this.stillBusy();
        });
    });
  }

  /** Wakes a closing leader's hand-off to look again: a publish came, or a publisher left. */
  private stir(): void {
    for (const resolve of this.receiving.splice(0)) resolve();
  }

  /** Restarts the idle countdown after which this process stops leading. */
  private stillBusy(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.leading === 0) this.resign();
      else this.stillBusy();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  /**
   * Stops accepting connections (closing the server removes the socket file). Accepted
   * connections stay until their publishers hang up: what they send from now on is answered
   * "commit it yourself", which sends them looking for the next leader.
   */
  private resign(): void {
    clearTimeout(this.idleTimer);
    if (this.server) this.options.ledHere.delete(this.options.socketPath);
    this.server?.close();
    this.server = undefined;
    this.joinWait.clear();
  }
}

/** A connected socket, or the system error code that kept it from connecting. */
function tryConnect(socketPath: string): Promise<net.Socket | string> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => resolve(systemErrorCode(err) ?? 'EIO'));
  });
}
