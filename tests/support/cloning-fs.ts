import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { canMount } from './tmpfs.js';

const commandExists = (name: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const makers = { xfs: 'mkfs.xfs', ext4: 'mkfs.ext4' } as const;
/** xfs with reflink clones (FICLONE); ext4 has no reflink and refuses to. */
export type ImageType = keyof typeof makers;

/**
 * Whether `type` can be mounted here: needs root (CI runs as root) and its mkfs. In CI a
 * missing mkfs does not skip the tests: {@link mountImage} then fails, so a clone path never
 * goes untested unnoticed (`.ci/run` installs xfsprogs).
 */
export const canMountImage = (type: ImageType): boolean => canMount && (commandExists(makers[type]) || process.env.CI !== undefined);

const mounted: Array<{ dir: string; parent: string }> = [];

/**
 * Makes a 300 MB `type` file system in an image file and loop-mounts it at a new directory;
 * unmounted, and the image removed, after the test.
 */
export async function mountImage(type: ImageType): Promise<string> {
  if (!commandExists(makers[type])) throw new Error(`${makers[type]} is missing: install ${type === 'xfs' ? 'xfsprogs' : 'e2fsprogs'} to run the ${type} tests`);
  const parent = await mkdtemp(path.join(tmpdir(), `prevention-${type}-`));
  const image = path.join(parent, 'image');
  const dir = path.join(parent, 'mnt');
  execFileSync('truncate', ['-s', '300M', image]);
  execFileSync(makers[type], type === 'xfs' ? ['-q', '-m', 'reflink=1', image] : ['-q', '-F', image]);
  await mkdir(dir);
  execFileSync('mount', ['-o', 'loop', image, dir]);
  mounted.push({ dir, parent });
  return dir;
}

afterEach(async () => {
  for (const { dir, parent } of mounted.splice(0)) {
    execFileSync('umount', [dir]);
    await rm(parent, { recursive: true, force: true });
  }
});
