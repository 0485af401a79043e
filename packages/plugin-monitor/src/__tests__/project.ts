import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TempDirs } from '@prevention/core/testing';
import { afterEach } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The daemon's bin script (runs the built package). */
export const BIN = path.resolve(here, '../../bin/prevention-monitor.js');

/** The JSON Schema the test files follow: an `events` array of `{ id }` objects. */
export const SCHEMA = {
  type: 'object',
  required: ['events'],
  properties: { events: { type: 'array', items: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } } },
};

const dirs = new TempDirs();
const children: ChildProcess[] = [];

// The processes go first: a daemon or writer still running could recreate files while the directory goes.
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await dirs.removeAll();
});

/** A fresh directory, removed after the test. */
export const tempDir = (): Promise<string> => dirs.make('prevention-monitor-');

function moduleUrl(specifier: string): string {
  return pathToFileURL(fileURLToPath(import.meta.resolve(specifier))).href;
}

/** Options of {@link writeProject}. */
export interface ProjectOptions {
  /** Files by path, or with per-file settings of their own. */
  files: Array<string | { path: string; onOutsideWrite?: 'restore' | 'accept' | 'alert-only' }>;
  /** Source of the monitor plugin entry (JS expression) or undefined to leave it to the daemon. */
  monitor?: string;
  /** Source of extra plugin entries (JS expressions). */
  extraPlugins?: string[];
  /** Extra top-level module code (helpers used by the plugin entries). */
  prelude?: string;
  lock?: { staleMs: number };
}

/** Writes `prevention.config.mjs` (backups + alerts with a file sink) in `dir`; returns its path. */
export async function writeProject(dir: string, options: ProjectOptions): Promise<string> {
  const config = path.join(dir, 'prevention.config.mjs');
  const plugins = [
    `backup({ strategies: [{ type: 'rotating', keep: 5 }] })`,
    ...(options.extraPlugins ?? []),
    ...(options.monitor ? [options.monitor] : []),
  ];
  await writeFile(
    config,
    [
      `import backup from ${JSON.stringify(moduleUrl('@prevention/plugin-backup'))};`,
      `import alerts, { fileSink } from ${JSON.stringify(moduleUrl('@prevention/plugin-alerts'))};`,
      `import monitor from ${JSON.stringify(pathToFileURL(path.resolve(here, '../../dist/index.js')).href)};`,
      options.prelude ?? '',
      `export default {`,
      `  files: ${JSON.stringify(options.files.map((file) => ({ ...(typeof file === 'string' ? { path: file } : file), schema: SCHEMA, initial: { events: [] } })))},`,
      options.lock ? `  lock: ${JSON.stringify(options.lock)},` : '',
      `  plugins: [${plugins.join(', ')}],`,
      `};`,
    ].join('\n'),
  );
  return config;
}

/** One parsed log line of the daemon. */
export type LogLine = Record<string, unknown> & { msg: string };

/** A daemon running as a separate process, with its log lines parsed as they come. */
export class Daemon {
  readonly lines: LogLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: Array<() => void> = [];

  constructor(readonly child: ChildProcess) {
    children.push(child);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        this.lines.push({ msg: line });
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Waits for the first log line from index `from` on that matches. */
  async waitFor(match: (line: LogLine) => boolean, timeoutMs = 10_000, from = 0): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.slice(from).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching daemon log line within ${timeoutMs} ms; last lines:\n${this.lines.slice(-10).map((l) => JSON.stringify(l)).join('\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Lines logged with this message. */
  messages(msg: string): LogLine[] {
    return this.lines.filter((l) => l.msg === msg);
  }
}

/** Starts the daemon on `dir` with extra CLI arguments. */
export function startDaemon(dir: string, args: string[] = []): Daemon {
  return new Daemon(spawn(process.execPath, [BIN, '--cwd', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Starts the daemon with HTTP on a free port; resolves once it serves and has validated the files. */
export async function startServingDaemon(dir: string, args: string[] = []): Promise<{ daemon: Daemon; base: string }> {
  const daemon = startDaemon(dir, ['--port', '0', ...args]);
  const listening = await daemon.waitFor((l) => l.msg === 'serving /livez, /readyz and /metrics', 20_000);
  await daemon.waitFor((l) => l.msg === 'monitoring', 20_000);
  return { daemon, base: `http://127.0.0.1:${String(listening.port)}` };
}

/** Percentile of sorted-ascending numbers. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A writer process appending through the engine (fixtures/append-writer.mjs). */
export class Writer {
  readonly acked = new Set<string>();
  refused = 0;
  readonly ready: Promise<void>;
  readonly done: Promise<void>;

  constructor(readonly child: ChildProcess) {
    children.push(child);
    let ready!: () => void;
    let done!: () => void;
    this.ready = new Promise((resolve) => (ready = resolve));
    this.done = new Promise((resolve) => (done = resolve));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('ack ')) this.acked.add(line.slice(4));
      else if (line.startsWith('refused ')) this.refused++;
      else if (line === 'ready') ready();
      else if (line === 'done') done();
    });
    child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  }

  /** Lets the loops finish their current update and waits for the process to close its engine. */
  async stop(): Promise<void> {
    this.child.stdin!.end();
    await this.done;
  }
}

/** Starts a writer process on `file` with `loops` concurrent loops pausing about `pauseMs` between updates. */
export async function startWriter(dir: string, file: string, loops: number, pauseMs: number, onCorrupt: 'fail' | 'restore' = 'fail'): Promise<Writer> {
  const writer = new Writer(spawn(process.execPath, [path.join(here, 'fixtures/append-writer.mjs'), dir, file, String(loops), String(pauseMs), onCorrupt], { stdio: ['pipe', 'pipe', 'pipe'] }));
  await writer.ready;
  return writer;
}

/**
 * Runs an engine operation with the project's config in a child process. (The config's plugins
 * load through Node's own module loader; an engine made inside the test runner would hold a
 * second copy of core, whose DI tokens those plugins do not know.)
 */
export async function engineOp(dir: string, op: 'append' | 'restore', file: string, id = ''): Promise<void> {
  const child = spawn(process.execPath, [path.join(here, 'fixtures/engine-op.mjs'), dir, op, file, id], { stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`engine ${op} on ${file} exited with ${code}`);
}
