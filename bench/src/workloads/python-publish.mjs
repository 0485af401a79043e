import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import preventionServe from '../competitors/prevention-serve.mjs';
import { removeDir, scratchDir } from '../harness.mjs';
import { summarize } from '../stats.mjs';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON_CLIENT = path.resolve(here, '..', '..', '..', 'clients', 'python');

/** The target of the issue that built the service: a Python agent's publish, p50 at most this. */
export const PYTHON_P50_TARGET_MS = 5;

/**
 * Workload 7: a Python agent publishing through the local service, one event at a time, each
 * awaited (the drop-in module's `publish` does the same call): the client from
 * `clients/python` over the project's Unix socket, against a `prevention serve` holding a
 * 1,000-event shared context.
 */
export async function pythonPublish({ quick = false, log = () => {} } = {}) {
  const count = quick ? 10 : 300;
  const dir = await scratchDir('python-publish');
  try {
    const file = path.join(dir, 'shared_context.json');
    await preventionServe.seed(file, 1_000);
    log(`python publish through the service × ${count}`);
    try {
      const { stdout } = await run('python3', [path.join(here, '..', 'workers', 'python-publish.py'), dir, 'shared_context.json', '20', String(count)], {
        env: { ...process.env, PYTHONPATH: PYTHON_CLIENT },
      });
      return { count, ...summarize(JSON.parse(stdout).latenciesMs) };
    } finally {
      await preventionServe.release(dir);
    }
  } catch (err) {
    if (err.code === 'ENOENT') return { count, unavailable: 'python3 is not installed' };
    throw err;
  } finally {
    await removeDir(dir);
  }
}
