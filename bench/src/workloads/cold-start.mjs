import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { seedJson } from '../competitors/json-store.mjs';
import { removeDir, scratchDir } from '../harness.mjs';
import { elapsedMs, summarize } from '../stats.mjs';

/**
 * Workload 5: what a short-lived process pays before its first write. Each sample is a fresh
 * `node` process: bare node (the floor); import `@prevention/core`, then `createEngine` with a
 * JSON config naming a schema-checked file; and `prevention check` end to end on a 1,000-event
 * shared context, in a project set up by `prevention init --format mjs` (the config every
 * command loads: backups, the monitor and alerts, the shared context schema) and by plain
 * `prevention init` (a `.ts` config). The samples of each step are taken in turn, so a load on
 * the machine spreads over all of them.
 *
 * With `baseline` (the root of another built checkout, such as the commit before a change) every
 * step is also timed there, sample for sample in turn with this checkout's, so both see the
 * same load: the "before" figures.
 */
const run = promisify(execFile);
const here = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** The worker, the CLI and the node_modules of the checkout at `root`. */
function checkout(root) {
  return {
    worker: path.join(root, 'bench', 'src', 'workers', 'cold-start-worker.mjs'),
    cliBin: path.join(root, 'packages', 'cli', 'bin', 'prevention.js'),
    // The projects' configs import the prevention packages, which resolve through the checkout's node_modules.
    nodeModules: path.join(root, 'node_modules'),
  };
}

async function timed(args, cwd) {
  const start = process.hrtime.bigint();
  const { stdout } = await run(process.execPath, args, { cwd });
  return { ms: elapsedMs(start), stdout };
}

/** A project as `prevention init` leaves it (with `initArgs`), plus a seeded shared context. */
async function initProject(dir, tree, initArgs) {
  await mkdir(dir);
  await symlink(tree.nodeModules, path.join(dir, 'node_modules'), 'dir');
  await writeFile(path.join(dir, 'package.json'), '{ "name": "cold-start", "private": true }\n');
  await run(process.execPath, [tree.cliBin, 'init', ...initArgs], { cwd: dir });
  await seedJson(path.join(dir, 'shared_context.json'), 1_000);
}

/** The projects of one checkout, and a function taking one sample of every step in them. */
async function prepare(dir, tree) {
  const engineDir = path.join(dir, 'engine');
  await mkdir(engineDir);
  await seedJson(path.join(engineDir, 'shared_context.json'), 1_000);
  await writeFile(path.join(engineDir, 'prevention.config.json'), JSON.stringify({ files: [{ path: 'shared_context.json', schema: { type: 'object', required: ['events'] } }] }));
  await initProject(path.join(dir, 'mjs'), tree, ['--format', 'mjs']);
  await initProject(path.join(dir, 'ts'), tree, []);
  const taken = { bare: [], engine: [], checkMjs: [], checkTs: [] };
  return {
    async sample() {
      taken.bare.push((await timed(['-e', '0'], dir)).ms);
      const { ms, stdout } = await timed([tree.worker, engineDir], engineDir);
      taken.engine.push({ wallMs: ms, ...JSON.parse(stdout) });
      taken.checkMjs.push((await timed([tree.cliBin, 'check', 'shared_context.json'], path.join(dir, 'mjs'))).ms);
      taken.checkTs.push((await timed([tree.cliBin, 'check', 'shared_context.json'], path.join(dir, 'ts'))).ms);
    },
    summary: () => ({
      bareNode: summarize(taken.bare),
      engineWall: summarize(taken.engine.map((e) => e.wallMs)),
      importCore: summarize(taken.engine.map((e) => e.importMs)),
      createEngine: summarize(taken.engine.map((e) => e.createMs)),
      checkMjs: summarize(taken.checkMjs),
      checkTs: summarize(taken.checkTs),
    }),
  };
}

export async function coldStart({ quick = false, log = () => {}, baseline } = {}) {
  const samples = quick ? 2 : 10;
  const dir = await scratchDir('cold-start');
  try {
    await mkdir(path.join(dir, 'now'));
    const now = await prepare(path.join(dir, 'now'), checkout(here));
    let before;
    if (baseline) {
      await mkdir(path.join(dir, 'before'));
      before = await prepare(path.join(dir, 'before'), checkout(path.resolve(baseline)));
    }
    for (let i = 0; i < samples; i++) {
      log(`cold start: sample ${i + 1}/${samples}`);
      await now.sample();
      await before?.sample();
    }
    return { samples, ...now.summary(), ...(before ? { baseline: before.summary() } : {}) };
  } finally {
    await removeDir(dir);
  }
}
