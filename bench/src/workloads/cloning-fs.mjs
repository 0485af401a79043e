import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { competitorById } from '../competitors/index.mjs';
import { sequentialAppends } from '../harness.mjs';

/**
 * The single-writer workload on a file system that clones (XFS with reflink, loop-mounted from an
 * image on the machine's disk): where prevention writes only an append's new bytes. Mounting
 * needs root and `mkfs.xfs`; without them the workload reports why it did not run.
 */
export const CLONING_SIZES = [1_000, 100_000];
const COMPETITORS = ['raw-floor', 'prevention-bus', 'better-sqlite3'];

function iterationsFor(size, quick) {
  if (quick) return 3;
  return size >= 100_000 ? 30 : 100;
}

/** Why the cloning file system cannot be mounted here, or undefined when it can. */
function unavailable() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'needs root to mount a loop device';
  try {
    execFileSync('mkfs.xfs', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'mkfs.xfs is not installed (Debian: xfsprogs)';
  }
  return undefined;
}

async function withCloningFileSystem(fn) {
  const root = await mkdtemp(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'prevention-bench-xfs-'));
  const image = path.join(root, 'xfs.img');
  const mount = path.join(root, 'mnt');
  await mkdir(mount);
  execFileSync('truncate', ['-s', '1G', image]);
  execFileSync('mkfs.xfs', ['-q', '-m', 'reflink=1', image]);
  execFileSync('mount', ['-o', 'loop', image, mount]);
  try {
    return await fn(mount);
  } finally {
    execFileSync('umount', [mount]);
    await rm(root, { recursive: true, force: true });
  }
}

export async function cloningFileSystem({ quick = false, sizes = CLONING_SIZES, log = () => {} } = {}) {
  const reason = unavailable();
  if (reason) {
    log(`cloning file system: skipped (${reason})`);
    return { skipped: reason, rows: [] };
  }
  return withCloningFileSystem(async (mount) => {
    const rows = [];
    for (const size of sizes) {
      for (const id of COMPETITORS) {
        const competitor = competitorById(id);
        const iterations = iterationsFor(size, quick);
        log(`cloning file system: ${id} at ${size} events × ${iterations}`);
        const result = await sequentialAppends(competitor, { size, iterations, warmup: quick ? 1 : 3, base: mount });
        rows.push({ size, id, name: competitor.name, iterations, ...result });
      }
    }
    return { fileSystem: 'xfs (reflink=1, loop-mounted)', rows };
  });
}
