import path from 'node:path';
import { request } from 'node:http';
import { atomicWriteFile, ErrorCodes, isPreventionError, PreventionError, ProperFileLocker, systemClock, systemErrorCode, type FileSystem, type LockHandle } from '@prevention/core';

/** The service's files in a project's `.prevention` folder. */
export interface InstancePaths {
  /** `<root>/.prevention` (0700). */
  dir: string;
  /** The Unix socket. */
  socket: string;
  /** `serve.pid`: the running server's pid. */
  pidFile: string;
}

/** Where the service of the project at `root` keeps its socket and pid file. */
export function instancePaths(root: string, socket?: string): InstancePaths {
  const dir = path.join(root, '.prevention');
  return { dir, socket: socket ?? path.join(dir, 'prevention.sock'), pidFile: path.join(dir, 'serve.pid') };
}

/**
 * A lock not refreshed for this long belongs to a server that died without stopping (SIGKILL,
 * power loss); a new start takes it over. proper-lockfile refreshes it every half of this.
 */
const STALE_MS = 5_000;

/** Asks the socket for `/v1/health`; resolves with the pid that answered, or undefined when nothing does. */
export function probeSocket(socket: string, timeoutMs = 2_000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/v1/health', method: 'GET', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        try {
          const pid = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { pid?: unknown }).pid;
          resolve(typeof pid === 'number' ? pid : undefined);
        } catch {
          resolve(undefined);
        }
      });
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

function alreadyRunning(pid: number | undefined, root: string): PreventionError {
  return new PreventionError(ErrorCodes.SERVE_RUNNING, `prevention serve is already running for ${root}${pid === undefined ? ' (it is starting)' : ` as pid ${pid}`}`, {
    details: { ...(pid === undefined ? {} : { pid }), root },
  });
}

async function readPid(fs: FileSystem, pidFile: string): Promise<number | undefined> {
  try {
    const pid = Number((await fs.readFile(pidFile)).toString('utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function removeIfPresent(fs: FileSystem, file: string): Promise<void> {
  try {
    await fs.unlink(file);
  } catch (err) {
    if (systemErrorCode(err) !== 'ENOENT') throw err;
  }
}

/**
 * The one-server-per-project rule. A start first asks the socket: a server that answers is
 * running (`PREVENTION_SERVE_RUNNING` with its pid). Then it takes a cross-process lock on the
 * pid file for as long as it runs, so two servers started at once cannot both pass (the loser
 * names the winner's pid), and only the lock holder removes a stale socket left by a server that
 * died. The pid file is written atomically once the server listens.
 */
export class InstanceLock {
  private constructor(
    private readonly fs: FileSystem,
    readonly paths: InstancePaths,
    private readonly lock: LockHandle,
  ) {}

  /** Signals that the lock was lost (taken over): the server must stop. */
  get lost(): AbortSignal {
    return this.lock.signal;
  }

  static async acquire(fs: FileSystem, root: string, paths: InstancePaths): Promise<InstanceLock> {
    await fs.mkdir(paths.dir, { recursive: true, mode: 0o700 });
    const answering = await probeSocket(paths.socket);
    if (answering !== undefined) throw alreadyRunning(answering, root);
    let lock: LockHandle;
    try {
      lock = await new ProperFileLocker(fs, systemClock).acquire(paths.pidFile, { staleMs: STALE_MS, timeoutMs: STALE_MS * 2 });
    } catch (err) {
      if (!isPreventionError(err, ErrorCodes.LOCK_TIMEOUT)) throw err;
      throw alreadyRunning((await probeSocket(paths.socket)) ?? (await readPid(fs, paths.pidFile)), root);
    }
    // Holding the lock, nothing else can be serving on the socket: a file there is stale.
    await removeIfPresent(fs, paths.socket);
    return new InstanceLock(fs, paths, lock);
  }

  /** Records this process as the running server. */
  async writePid(): Promise<void> {
    await atomicWriteFile(this.fs, this.paths.pidFile, Buffer.from(`${process.pid}\n`), { mode: 0o600 });
  }

  /** Removes the socket and pid file, then releases the lock. */
  async release(): Promise<void> {
    try {
      await removeIfPresent(this.fs, this.paths.socket);
      if ((await readPid(this.fs, this.paths.pidFile)) === process.pid) await removeIfPresent(this.fs, this.paths.pidFile);
    } finally {
      await this.lock.release();
    }
  }
}
