import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { afterAll } from 'vitest';

// Workers still running when a test file ends (a failed or timed-out test) are killed, so a
// broken run never leaves processes behind to load the machine.
const live = new Set<ChildProcess>();
afterAll(() => {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
});

/** Path of a script in tests/fixtures. */
export function fixture(name: string): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', name);
}

/** A child process whose stdout lines are collected as they arrive. */
export interface Worker {
  child: ChildProcess;
  lines: string[];
  stderr: () => string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  /** Calls `listener` with every stdout line from now on, as it arrives. */
  onLine(listener: (line: string) => void): void;
  /** Resolves when a stdout line satisfies `test`. */
  waitForLine(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
}

/** Starts `node fixtures/<script> ...args`. */
export function startWorker(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Worker {
  const child = spawn(process.execPath, [fixture(script), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.on('exit', () => live.delete(child));
  const lines: string[] = [];
  const listeners: Array<(line: string) => void> = [];
  const waiters: Array<{ test: (line: string) => boolean; resolve: (line: string) => void }> = [];
  let buffered = '';
  let errors = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      lines.push(line);
      for (const listener of listeners) listener(line);
      for (const waiter of [...waiters]) {
        if (waiter.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    lines,
    stderr: () => errors,
    exited,
    onLine: (listener) => void listeners.push(listener),
    waitForLine(test, timeoutMs = 30_000) {
      const seen = lines.find(test);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching line from ${script} within ${timeoutMs} ms; stderr: ${errors}`)), timeoutMs);
        waiters.push({ test, resolve: (line) => (clearTimeout(timer), resolve(line)) });
        void exited.then(() => setTimeout(() => reject(new Error(`${script} exited before a matching line; stderr: ${errors}`)), 50));
      });
    },
  };
}
