import { spawn, type ChildProcess } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TempDirs } from '@prevention/core/testing';

/** The `prevention` binary, as a user runs it. */
const BIN = path.join(path.dirname(createRequire(import.meta.url).resolve('@prevention/cli/package.json')), 'bin', 'prevention.js');
const repoNodeModules = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..', 'node_modules');

/** What one run of the binary did. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A run still going, for `--follow`. */
export interface RunningCli {
  child: ChildProcess;
  exited: Promise<CliRun>;
  /** Resolves once `stream` contains `text`. */
  waitFor(text: string, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<void>;
}

/**
 * A temporary project whose config imports the prevention packages (its `node_modules` is the
 * repository's), and the real `prevention` binary run in it as a separate process.
 */
export class CliProject {
  private readonly running = new Map<ChildProcess, Promise<CliRun>>();

  private constructor(
    readonly dir: string,
    private readonly dirs: TempDirs,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async create(files: Record<string, string>, env: NodeJS.ProcessEnv = {}): Promise<CliProject> {
    const dirs = new TempDirs();
    const dir = await dirs.make('prevention-pg-cli-');
    await symlink(repoNodeModules, path.join(dir, 'node_modules'), 'dir');
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
    return new CliProject(dir, dirs, env);
  }

  /** Starts `prevention ...args`, in the project unless `cwd` says where (the project then given with `--cwd`). */
  start(args: readonly string[], cwd = this.dir): RunningCli {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const seen = { stdout: '', stderr: '' };
    const watchers = new Set<() => void>();
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream].setEncoding('utf8').on('data', (chunk: string) => {
        seen[stream] += chunk;
        for (const check of [...watchers]) check();
      });
    }
    const exited = new Promise<CliRun>((resolve) =>
      child.on('close', (code) => {
        this.running.delete(child);
        resolve({ code, ...seen });
      }),
    );
    this.running.set(child, exited);
    const waitFor = (text: string, stream: 'stdout' | 'stderr' = 'stdout', timeoutMs = 30_000): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${text} on ${stream} within ${timeoutMs} ms; stdout: ${seen.stdout}; stderr: ${seen.stderr}`)), timeoutMs);
        const check = (): void => {
          if (!seen[stream].includes(text)) return;
          clearTimeout(timer);
          watchers.delete(check);
          resolve();
        };
        watchers.add(check);
        check();
      });
    return { child, exited, waitFor };
  }

  run(args: readonly string[], cwd?: string): Promise<CliRun> {
    return this.start(args, cwd).exited;
  }

  /** Kills what is still running (a test that failed half-way), then deletes the directory. */
  async remove(): Promise<void> {
    for (const child of this.running.keys()) child.kill('SIGKILL');
    await Promise.all(this.running.values());
    await this.dirs.removeAll();
  }
}
