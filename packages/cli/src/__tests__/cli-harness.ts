import { spawn, type ChildProcess } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TempDirs } from '@prevention/core/testing';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The real binary, as a user runs it. */
export const BIN = path.join(packageDir, 'bin', 'prevention.js');
const repoNodeModules = path.resolve(packageDir, '..', '..', 'node_modules');

/** What one run of the binary did. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A temporary project directory whose config can import the prevention packages. */
export interface TempProject {
  dir: string;
  file(name: string): string;
  write(name: string, text: string): Promise<void>;
  /**
   * Runs `prevention ...args` in the project. With `closeStdout` the reading end of its stdout
   * is closed before the binary starts writing, as `| head` does once it has what it wants.
   */
  run(args: readonly string[], options?: { env?: NodeJS.ProcessEnv; input?: string; closeStdout?: boolean }): Promise<CliResult>;
  /** Starts `prevention ...args` in the project without waiting for it. */
  start(args: readonly string[], options?: { env?: NodeJS.ProcessEnv }): RunningCli;
  /** Kills what `start` started and is still running (a test that failed half-way), then deletes the directory. */
  remove(): Promise<void>;
}

/** A binary still running. */
export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<CliResult>;
  /** Resolves once stdout (or stderr) contains `text`. */
  waitFor(text: string | RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<void>;
}

/** A config that keeps backups of `shared_context.json` and checks it against the shared context schema. */
export const BACKUP_CONFIG = `import { defineConfig, sharedContextSchema } from '@prevention/core';
import backup from '@prevention/plugin-backup';
export default defineConfig({
  files: [{ path: 'shared_context.json', schema: sharedContextSchema, initial: { version: 1, events: [] } }],
  plugins: [backup({ strategies: [{ type: 'rotating', keep: 5 }] })],
});
`;

export function startCli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const check of [...watchers]) check();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const check of [...watchers]) check();
  });
  const exited = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor(text, stream = 'stdout', timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const matches = (): boolean => {
          const seen = stream === 'stdout' ? stdout : stderr;
          return typeof text === 'string' ? seen.includes(text) : text.test(seen);
        };
        const timer = setTimeout(() => reject(new Error(`no ${String(text)} on ${stream} within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`)), timeoutMs);
        const check = (): void => {
          if (!matches()) return;
          clearTimeout(timer);
          watchers.splice(watchers.indexOf(check), 1);
          resolve();
        };
        watchers.push(check);
        check();
      });
    },
  };
}

/** Creates a temporary project; its `node_modules` points at the repository's. */
export async function tempProject(): Promise<TempProject> {
  // One set per project: `remove` ends this project alone (some suites keep theirs for all tests).
  const dirs = new TempDirs();
  const dir = await dirs.make('prevention-cli-');
  await symlink(repoNodeModules, path.join(dir, 'node_modules'), 'dir');
  const file = (name: string): string => path.join(dir, name);
  const started: RunningCli[] = [];
  return {
    dir,
    file,
    write: (name, text) => writeFile(file(name), text),
    run(args, options = {}) {
      const running = startCli(args, dir, options.env);
      if (options.closeStdout) running.child.stdout!.destroy();
      running.child.stdin!.end(options.input ?? '');
      return running.exited;
    },
    start(args, options = {}) {
      const running = startCli(args, dir, options.env);
      running.child.stdin!.end();
      started.push(running);
      return running;
    },
    async remove() {
      for (const running of started) if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
      await Promise.all(started.map((running) => running.exited));
      await dirs.removeAll();
    },
  };
}
