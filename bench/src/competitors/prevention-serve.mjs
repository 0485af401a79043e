import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { connect } from '@prevention/client';
import { countJson, seedJson } from './json-store.mjs';

const cliBin = path.join(path.dirname(createRequire(import.meta.url).resolve('@prevention/cli/package.json')), 'bin', 'prevention.js');

/** The services started by `seed` in this process, by project directory. */
const services = new Map();
process.on('exit', () => {
  for (const child of services.values()) child.kill('SIGKILL');
});

/**
 * prevention through its local service: `prevention serve` runs as a process of its own for
 * the scratch directory (started by `seed`, with a config naming the file and no plugins, as
 * the other prevention rows have none), and every append is a `bus.publish` from
 * `@prevention/client` over the Unix socket: HTTP, the service's full pipeline, its group
 * commit across the processes publishing at once.
 */
export default {
  id: 'prevention-serve',
  name: 'prevention serve (client publish)',
  note: 'full pipeline in a prevention serve process; each append one HTTP request over its Unix socket',
  safeAcrossProcesses: true,
  /** Its bytes are written by the service's process, which this process's write(2) count cannot see. */
  writesInAnotherProcess: true,
  extension: 'json',
  async seed(file, count) {
    await seedJson(file, count);
    const dir = path.dirname(file);
    await writeFile(path.join(dir, 'prevention.config.json'), JSON.stringify({ files: [{ path: path.basename(file) }] }));
    const child = spawn(process.execPath, [cliBin, 'serve'], { cwd: dir, stdio: 'ignore' });
    services.set(dir, child);
    // Up once its socket answers.
    for (;;) {
      try {
        await (await connect({ cwd: dir, autoStart: false })).close();
        return;
      } catch (err) {
        if (child.exitCode !== null) throw new Error(`prevention serve exited with ${child.exitCode} before answering`, { cause: err });
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  },
  count: countJson,
  async open(file) {
    const client = await connect({ cwd: path.dirname(file), autoStart: false });
    const bus = client.bus(path.basename(file));
    return {
      append: (input) => bus.publish(input),
      close: () => client.close(),
    };
  },
  /** Stops the directory's service (SIGTERM: it answers what is in flight and exits). */
  async release(dir) {
    const child = services.get(dir);
    if (!child) return;
    services.delete(dir);
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  },
};
