import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** The socket of the project at `root`, where `prevention serve` listens by default. */
export function socketPathOf(root: string): string {
  return path.join(root, '.prevention', 'prevention.sock');
}

/** True when `dir` holds a `prevention.config.*` file. */
function hasConfig(dir: string): boolean {
  try {
    return readdirSync(dir).some((name) => name.startsWith('prevention.config.'));
  } catch {
    return false;
  }
}

/**
 * The project `cwd` belongs to, found the way the CLI finds its config: the nearest directory,
 * from `cwd` upwards, holding a `prevention.config.*` file or a running service's socket.
 * Undefined when there is none up to the file system's root.
 */
export function findProjectRoot(cwd: string): string | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    if (hasConfig(dir) || existsSync(socketPathOf(dir))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
