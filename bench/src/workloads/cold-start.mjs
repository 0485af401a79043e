import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { seedJson } from '../competitors/json-store.mjs';
import { removeDir, scratchDir } from '../harness.mjs';
import { elapsedMs, summarize } from '../stats.mjs';

/**
 * Workload 5: what a short-lived process pays before its first write. Each sample is a fresh
 * `node` process: bare node (the floor), import + `createEngine` with a config file naming a
 * schema-checked file, and `prevention check` on a 1,000-event shared context, end to end.
 */
const run = promisify(execFile);
const worker = fileURLToPath(new URL('../workers/cold-start-worker.mjs', import.meta.url));
const cliBin = path.join(path.dirname(createRequire(import.meta.url).resolve('@prevention/cli/package.json')), 'bin', 'prevention.js');

async function timed(args, cwd) {
  const start = process.hrtime.bigint();
  const { stdout } = await run(process.execPath, args, { cwd });
  return { ms: elapsedMs(start), stdout };
}

export async function coldStart({ quick = false, log = () => {} } = {}) {
  const samples = quick ? 2 : 10;
  const dir = await scratchDir('cold-start');
  try {
    await seedJson(path.join(dir, 'shared_context.json'), 1_000);
    await writeFile(path.join(dir, 'prevention.config.json'), JSON.stringify({ files: [{ path: 'shared_context.json', schema: { type: 'object', required: ['events'] } }] }));
    const bare = [];
    const engine = [];
    const check = [];
    for (let i = 0; i < samples; i++) {
      log(`cold start: sample ${i + 1}/${samples}`);
      bare.push((await timed(['-e', '0'], dir)).ms);
      const { ms, stdout } = await timed([worker, dir], dir);
      engine.push({ wallMs: ms, ...JSON.parse(stdout) });
      check.push((await timed([cliBin, 'check', 'shared_context.json'], dir)).ms);
    }
    return {
      samples,
      bareNode: summarize(bare),
      engineWall: summarize(engine.map((e) => e.wallMs)),
      importCore: summarize(engine.map((e) => e.importMs)),
      createEngine: summarize(engine.map((e) => e.createMs)),
      check: summarize(check),
    };
  } finally {
    await removeDir(dir);
  }
}
