import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/**
 * The directory of PostgreSQL's server binaries: `PREVENTION_PG_BINDIR` if set, else the newest
 * `/usr/lib/postgresql/<version>/bin`, else `pg_config --bindir`.
 */
export function postgresBinDir(): string | undefined {
  const chosen = process.env.PREVENTION_PG_BINDIR;
  if (chosen !== undefined) return existsSync(path.join(chosen, 'initdb')) ? chosen : undefined;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(root, versions[0], 'bin');
  }
  const found = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = found.status === 0 ? found.stdout.trim() : '';
  return dir && existsSync(path.join(dir, 'initdb')) ? dir : undefined;
}

/**
 * Whether the PostgreSQL tests can run here. Without the server binaries they fail in CI (where
 * `.ci/run` installs them, so their absence is a broken setup), and are skipped, saying why, on a
 * developer's machine.
 */
export function postgresAvailability(): { available: true } | { available: false; reason: string } {
  if (postgresBinDir()) return { available: true };
  const reason = 'PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin or by pg_config: install them (apt-get install postgresql)';
  if (process.env.CI) throw new Error(`${reason}. The PostgreSQL tests cannot run; in CI this is a failure, not a skip.`);
  return { available: false, reason };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether `pid` runs: a zombie (a killed process nobody reaped, as orphans are on an init that does not reap) does not. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * A throw-away PostgreSQL server for one test file: `initdb` in a fresh temporary directory (as
 * the `postgres` user when running as root: initdb refuses root), started with `pg_ctl` on
 * 127.0.0.1, a free port and a socket in that directory, `fsync=on`. Stopped by pid and removed
 * by {@link stop}. Trust authentication: it listens on the loopback only, for the test's life.
 */
export class PostgresServer {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  /** Where the server's Unix socket is (for `host=<dir>` connections). */
  get socketDir(): string {
    return this.dir;
  }

  /** A TCP connection string to `database`. */
  url(database: string): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** A connection string over the Unix socket in the server's directory. */
  socketUrl(database: string): string {
    return `postgresql://postgres@/${database}?host=${encodeURIComponent(this.socketDir)}&port=${this.port}`;
  }

  static async start(): Promise<PostgresServer> {
    const bin = postgresBinDir();
    if (!bin) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql)');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prevention-pg-'));
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    }
    const server = new PostgresServer(dir, await freePort(), bin);
    await server.asServerUser('initdb', ['-D', server.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
    await server.startProcess();
    return server;
  }

  /** Runs one of the server's binaries as the user that owns the data directory. */
  private async asServerUser(binary: string, args: string[]): Promise<string> {
    const command = path.join(this.bin, binary);
    const [file, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    try {
      const { stdout } = await run(file, argv, { encoding: 'utf8', cwd: this.dir });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`${binary} failed: ${e.stderr || e.message}\n${this.logTail()}`);
    }
  }

  /** The end of the server's log, for failure messages. */
  logTail(): string {
    try {
      return readFileSync(path.join(this.dir, 'server.log'), 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '';
    }
  }

  private async startProcess(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200`;
    await this.asServerUser('pg_ctl', ['-D', this.dataDir, '-l', path.join(this.dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
    await this.waitUntilAccepting();
  }

  /** Waits until a query succeeds: `pg_ctl -w` returns once the server is up, recovery included, but a check costs little. */
  async waitUntilAccepting(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const client = new pg.Client({ connectionString: this.url('postgres') });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        await client.end();
        return;
      } catch (err) {
        await client.end().catch(() => undefined);
        if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections within ${timeoutMs} ms: ${(err as Error).message}\n${this.logTail()}`);
        await sleep(100);
      }
    }
  }

  /** Creates a database and returns its name. */
  async createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url('postgres') });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } finally {
      await client.end();
    }
    return name;
  }

  /** The postmaster's pid, from `postmaster.pid`; undefined when it is not running. */
  postmasterPid(): number | undefined {
    try {
      const pid = Number(readFileSync(path.join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return running(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** The postmaster and every process it started, by pid (from /proc). */
  private serverPids(): number[] {
    const root = this.postmasterPid();
    if (root === undefined) return [];
    const children = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((entry) => {
        try {
          // Field 4 of /proc/<pid>/stat is the parent; the command (field 2) may hold spaces, so split after it.
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === root;
        } catch {
          return false;
        }
      })
      .map(Number);
    return [root, ...children];
  }

  /**
   * SIGKILLs the server, the postmaster and its backends at once, as a power cut or the OOM
   * killer would: no shutdown checkpoint, no goodbye to clients. Resolves once they are gone.
   */
  async kill(): Promise<void> {
    const pids = this.serverPids();
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    while (pids.some(running)) await sleep(20);
    // The lock files name the dead postmaster. PostgreSQL tells a stale one by signalling its pid,
    // which succeeds on an unreaped zombie: they are removed, the server being provably gone.
    if (pids.length > 0) {
      rmSync(path.join(this.dataDir, 'postmaster.pid'), { force: true });
      rmSync(path.join(this.dir, `.s.PGSQL.${this.port}.lock`), { force: true });
    }
  }

  /** Starts the server again on the same port and data (crash recovery included). */
  async restart(): Promise<void> {
    await this.startProcess();
  }

  /** Stops the server (immediately: the data is thrown away) and removes its directory. */
  async stop(): Promise<void> {
    if (this.postmasterPid() !== undefined) {
      await this.asServerUser('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => this.kill());
      if (this.postmasterPid() !== undefined) await this.kill();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
