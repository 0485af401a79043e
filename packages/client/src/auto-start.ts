import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { ClientCodes, PreventionClientError } from './client-error.js';

/** How to run `prevention`: the command and the arguments before `serve`. */
export interface PreventionBinary {
  command: string;
  args: string[];
}

/**
 * The `prevention` binary for the project at `root`: `PREVENTION_BIN`, else the nearest
 * `node_modules/.bin/prevention` from the project upwards, else `prevention` on the PATH. A
 * `.js` file is run with this Node.
 */
export function findPreventionBinary(root: string, env: NodeJS.ProcessEnv = process.env): PreventionBinary {
  const asCommand = (file: string): PreventionBinary => (/\.[cm]?js$/.test(file) ? { command: process.execPath, args: [file] } : { command: file, args: [] });
  if (env.PREVENTION_BIN) return asCommand(env.PREVENTION_BIN);
  let dir = root;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', '.bin', 'prevention');
    if (existsSync(candidate)) return asCommand(candidate);
    const parent = path.dirname(dir);
    if (parent === dir) return { command: 'prevention', args: [] };
    dir = parent;
  }
}

/**
 * Starts `prevention serve` for the project at `root`, detached (it outlives this process),
 * its output appended to `<root>/.prevention/serve.log`. Resolves with its pid once it runs;
 * fails when the binary cannot be run at all. Several clients starting it at once are fine:
 * the service lets one of them run and the others exit.
 */
export async function spawnServe(root: string, binary: PreventionBinary): Promise<number | undefined> {
  const dir = path.join(root, '.prevention');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const log = openSync(path.join(dir, 'serve.log'), 'a', 0o600);
  try {
    const child = spawn(binary.command, [...binary.args, 'serve'], { cwd: root, detached: true, stdio: ['ignore', log, log] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new PreventionClientError(ClientCodes.UNAVAILABLE, `cannot start prevention serve for ${root}: ${[binary.command, ...binary.args].join(' ')} could not be run (${err.code ?? err.message})`, {
            hint: 'install @prevention/cli in the project, or set PREVENTION_BIN to the prevention binary',
            details: { root, command: binary.command },
            cause: err,
          }),
        ),
      );
    });
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** Waits until `healthy()` is true, polling, or fails naming the binary and the log. */
export async function waitUntilHealthy(healthy: () => Promise<boolean>, root: string, binary: PreventionBinary, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pause = 20;
  while (Date.now() < deadline) {
    if (await healthy()) return;
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 250);
  }
  throw new PreventionClientError(ClientCodes.UNAVAILABLE, `prevention serve did not answer within ${timeoutMs} ms of being started for ${root} (${[binary.command, ...binary.args].join(' ')} serve)`, {
    hint: `see ${path.join(root, '.prevention', 'serve.log')}; set PREVENTION_BIN to the prevention binary if it was not found`,
    details: { root },
  });
}
