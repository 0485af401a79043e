import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach } from 'vitest';

/** Mounting needs root; CI runs as root. */
export const canMount = typeof process.getuid === 'function' && process.getuid() === 0;

const mounted: string[] = [];

/** Mounts a tmpfs with `options` (e.g. `size=512k` or `nr_inodes=64`) at a new directory in `parent`; unmounted after the test. */
export async function mountTmpfs(parent: string, options: string): Promise<string> {
  const dir = path.join(parent, 'small-disk');
  await mkdir(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `${options},mode=0700`, 'tmpfs', dir]);
  mounted.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of mounted.splice(0)) execFileSync('umount', [dir]);
});
