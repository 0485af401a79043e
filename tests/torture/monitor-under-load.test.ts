import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, readFile, truncate, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createEngine } from '@prevention/core';
import { describe, expect, it } from 'vitest';
import { checkAppends, checkFailures } from '../support/append-checker.js';
import { startWorker } from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';
import { printFigures, scaled } from '../support/torture.js';
import { writerOutcome } from '../support/writer-lines.js';

const WRITERS = 4;
const TRIALS = scaled(4, 40);
const STALE_MS = 2000;
const DAEMON = fileURLToPath(import.meta.resolve('@prevention/plugin-monitor')).replace(/dist[\\/]index\.js$/, 'bin/prevention-monitor.js');
const DAMAGE = ['truncate', 'garbage', 'deletion'] as const;

/** Damages `file` from outside (under the writers' lock, so no commit in flight overwrites it first). */
async function damage(file: string, kind: (typeof DAMAGE)[number]): Promise<void> {
  if (kind === 'deletion') return unlink(file);
  const size = (await readFile(file)).length;
  if (kind === 'truncate') return truncate(file, Math.floor(Math.random() * (size - 2)));
  const garbage = randomBytes(32);
  garbage[0] = 0x01; // a control byte: never valid JSON
  const handle = await open(file, 'r+');
  await handle.write(garbage, 0, garbage.length, Math.floor(Math.random() * Math.max(1, size - garbage.length)));
  await handle.close();
}

/** The ids in `file` once it parses again (repaired), polling until `timeoutMs`. */
async function idsOnceRepaired(file: string, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return (JSON.parse(await readFile(file, 'utf8')) as { events: Array<{ id: string }> }).events.map((e) => e.id);
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${file} was not repaired within ${timeoutMs} ms`, { cause: err });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe('outside corruption under load: the monitor daemon repairs while 4 writers append', () => {
  it(`${TRIALS} trials of each damage: repaired every time, no acknowledged write lost`, async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'shared_context.json');
    // Writers fail on a damaged file instead of repairing it themselves: every repair is the daemon's.
    const backupUrl = pathToFileURL(fileURLToPath(import.meta.resolve('@prevention/plugin-backup'))).href;
    await writeFile(
      path.join(dir, 'prevention.config.mjs'),
      `import backup from ${JSON.stringify(backupUrl)};\n` +
        `export default { files: [{ path: 'shared_context.json', initial: { events: [] }, onCorrupt: 'fail' }], lock: { staleMs: ${STALE_MS} }, plugins: [backup({ strategies: [{ type: 'rotating', keep: 5 }] })] };\n`,
    );
    const daemon = spawn(process.execPath, [DAEMON, '--cwd', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const daemonLines: Array<{ msg?: string }> = [];
    createInterface({ input: daemon.stdout! }).on('line', (line) => daemonLines.push(JSON.parse(line) as { msg?: string }));
    const writers = Array.from({ length: WRITERS }, (_, w) => startWorker('torture-writer.mjs', [file, `w${w}`, String(STALE_MS), 'Infinity', '0', 'project']));
    try {
      await Promise.all(writers.map((w) => w.waitForLine((l) => /^w\d:\d+$/.test(l), 60_000)));
      const engine = await createEngine({ cwd: dir, config: false, lock: { staleMs: STALE_MS, timeoutMs: 30_000 }, logger: { level: 'silent' } });
      const lostAfterRepair: string[] = [];
      let trials = 0;
      for (const kind of DAMAGE) {
        for (let trial = 0; trial < TRIALS; trial++) {
          // Acknowledged before the damage: each of them must be in the repaired file.
          const ackedBefore = writerOutcome(writers).acknowledged;
          await engine.withLock(file, () => damage(file, kind));
          trials += 1;
          const ids = new Set(await idsOnceRepaired(file, 20_000));
          lostAfterRepair.push(...ackedBefore.filter((id) => !ids.has(id)).map((id) => `${kind} ${trial}: ${id}`));
          await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
        }
      }
      await engine.close();
      for (const writer of writers) writer.child.kill('SIGKILL');
      await Promise.all(writers.map((w) => w.exited));
      const outcome = writerOutcome(writers);
      const report = checkAppends(await idsOnceRepaired(file, 20_000), outcome.acknowledged, outcome.attempted);
      const repairs = () => daemonLines.filter((l) => l.msg === 'repaired').length;
      await expect.poll(repairs, { timeout: 10_000 }).toBe(trials);
      const repairsByDaemon = repairs();
      printFigures('monitor under load', {
        writers: WRITERS,
        trials,
        repairsByDaemon,
        acknowledged: report.acknowledged,
        present: report.present,
        refusedWhileDamaged: outcome.refused.length,
        lost: report.lost.length + lostAfterRepair.length,
        duplicated: report.duplicated.length,
      });
      expect(lostAfterRepair).toEqual([]);
      expect(checkFailures(report)).toEqual([]);
      expect(report.acknowledged).toBeGreaterThan(trials);
    } finally {
      for (const writer of writers) writer.child.kill('SIGKILL');
      daemon.kill('SIGKILL');
    }
  });
});
