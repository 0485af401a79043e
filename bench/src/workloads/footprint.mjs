import { execFileSync } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { installTarballs, packAll } from '../../../scripts/pack.mjs';
import { removeDir, scratchDir } from '../harness.mjs';

/**
 * Workload 6: what installing prevention adds to a project. The packages are packed as
 * `npm run pack` packs them and installed with npm into an empty project (third-party
 * dependencies from the registry or npm's cache): `@prevention/core` alone, then all five (what
 * the CLI needs). Counts the packages under node_modules, the bytes of their files, and the
 * space they take on disk (`du`, what a user sees). With `baseline` (the root of another built
 * checkout), its packages are measured the same way: the "before" figures.
 */

/** Every package directory under `nodeModules` (nested ones included), the bytes of all files, and `du`'s size. */
async function measure(nodeModules) {
  let packages = 0;
  let bytes = 0;
  const walk = async (dir, isModulesDir) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) {
        const scope = isModulesDir && entry.name.startsWith('@');
        if (isModulesDir && !scope && entry.name !== '.bin' && !entry.name.startsWith('.')) packages += 1;
        await walk(full, scope || entry.name === 'node_modules');
      } else if (entry.isFile()) {
        bytes += (await stat(full)).size;
      }
    }
  };
  await walk(nodeModules, true);
  const diskBytes = Number(execFileSync('du', ['-sk', nodeModules], { encoding: 'utf8' }).split('\t')[0]) * 1024;
  return { packages, bytes, diskBytes };
}

/** `@prevention/core` alone and all five packages of the checkout at `repository`, installed under `dir`. */
async function footprintOf(dir, repository, log) {
  const tarballs = packAll(path.join(dir, 'tarballs'), repository);
  const results = {};
  for (const [name, selected] of [
    ['core', tarballs.filter((file) => path.basename(file).startsWith('prevention-core-'))],
    ['all', tarballs],
  ]) {
    log(`install footprint: ${name}${repository ? ` of ${repository}` : ''}`);
    const project = path.join(dir, name);
    const installed = await installTarballs(project, selected);
    if (installed.code !== 0) throw new Error(`npm install of ${selected.join(' ')} failed: ${installed.stderr}`);
    results[name] = await measure(path.join(project, 'node_modules'));
  }
  return results;
}

export async function installFootprint({ log = () => {}, baseline } = {}) {
  const dir = await scratchDir('footprint');
  try {
    const now = await footprintOf(path.join(dir, 'now'), undefined, log);
    return baseline ? { ...now, baseline: await footprintOf(path.join(dir, 'before'), path.resolve(baseline), log) } : now;
  } finally {
    await removeDir(dir);
  }
}
