import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixture, startWorker } from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';
import { printFigures, scaled } from '../support/torture.js';
import { hasPython } from '../support/python.js';
import { writerOutcome } from '../support/writer-lines.js';

// Agents still on the first Python bus, unchanged, beside prevention's writers and its monitor on
// one shared context (the file configured with acceptOutsideAppends, as during a migration).

const EACH = scaled(60, 600);
const STALE_MS = 2000;
const DAEMON = fileURLToPath(import.meta.resolve('@prevention/plugin-monitor')).replace(/dist[\\/]index\.js$/, 'bin/prevention-monitor.js');

interface OldBus {
  child: ChildProcess;
  lines: string[];
  stderr: () => string;
  exited: Promise<number | string>;
  holding: Promise<void>;
}

/** Starts `old-bus-writer.py` (see the fixture): acknowledged events are printed as `name:n`. */
function startOldBus(args: string[]): OldBus {
  const child = spawn('python3', [fixture('old-bus-writer.py'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let errors = '';
  let held: () => void = () => undefined;
  const holding = new Promise<void>((resolve) => (held = resolve));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    if (line === 'holding') held();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, lines, stderr: () => errors, exited, holding };
}

async function project(): Promise<{ dir: string; file: string }> {
  const dir = await tempDir('prevention-oldbus-');
  const file = path.join(dir, 'shared_context.json');
  const backupUrl = pathToFileURL(fileURLToPath(import.meta.resolve('@prevention/plugin-backup'))).href;
  await writeFile(
    path.join(dir, 'prevention.config.mjs'),
    `import backup from ${JSON.stringify(backupUrl)};\n` +
      `export default { files: [{ path: 'shared_context.json', initial: { events: [] }, acceptOutsideAppends: true }], lock: { staleMs: ${STALE_MS} }, plugins: [backup({ strategies: [{ type: 'rotating', keep: 5 }] })] };\n`,
  );
  await writeFile(file, `${JSON.stringify({ events: [] }, null, 2)}\n`);
  return { dir, file };
}

const idsIn = async (file: string): Promise<string[]> =>
  (JSON.parse(await readFile(file, 'utf8')) as { events: Array<{ id?: string; data?: { id?: string } }> }).events.map((e) => e.id ?? e.data?.id ?? '?');

describe.runIf(hasPython())('the first Python bus, unchanged, beside prevention writers and the monitor', () => {
  it(`loses no acknowledged event on either side (${EACH} legacy + 2 × ${EACH} prevention appends)`, async () => {
    const { dir, file } = await project();
    const daemon = spawn(process.execPath, [DAEMON, '--cwd', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const daemonLines: Array<{ msg?: string }> = [];
    createInterface({ input: daemon.stdout! }).on('line', (line) => daemonLines.push(JSON.parse(line) as { msg?: string }));
    try {
      // The prevention writers commit first, so every legacy append lands on a version they
      // committed; both sides then keep going at an agent's pace, interleaved.
      const writers = [0, 1].map((w) => startWorker('torture-writer.mjs', [file, `w${w}`, String(STALE_MS), String(EACH), '3', 'project']));
      await Promise.all(writers.map((w) => w.waitForLine((l) => /^w\d:1$/.test(l), 60_000)));
      const oldBus = startOldBus([file, 'py', String(EACH), '0', '3']);
      const codes = await Promise.all([oldBus.exited, ...writers.map((w) => w.exited)]);
      expect(codes, [oldBus.stderr(), ...writers.map((w) => w.stderr())].join('\n')).toEqual([0, 0, 0]);
      const outcome = writerOutcome(writers);
      const legacy = oldBus.lines.filter((l) => /^py:\d+$/.test(l));
      const ids = await idsIn(file);
      const missing = [...outcome.acknowledged, ...legacy].filter((id) => !ids.includes(id));
      printFigures('old bus beside prevention', {
        legacyAcknowledged: legacy.length,
        preventionAcknowledged: outcome.acknowledged.length,
        refused: outcome.refused.length,
        present: ids.length,
        lost: missing.length,
        repairsByDaemon: daemonLines.filter((l) => l.msg === 'repaired').length,
      });
      expect(missing).toEqual([]);
      expect(legacy).toHaveLength(EACH);
      expect(outcome.acknowledged).toHaveLength(2 * EACH);
      expect(new Set(ids).size).toBe(ids.length);
      // Each writer's own order is kept.
      for (const name of ['py', 'w0', 'w1']) {
        const own = ids.filter((id) => id.startsWith(`${name}:`)).map((id) => Number(id.split(':')[1]));
        expect(own, name).toEqual(Array.from({ length: EACH }, (_, i) => i + 1));
      }
      expect(daemonLines.filter((l) => l.msg === 'repaired')).toEqual([]);
      // The sides interleaved: prevention commits landed on top of legacy appends (adopting them).
      expect(ids.findIndex((id) => id.startsWith('py:'))).toBeLessThan(Math.max(ids.lastIndexOf(`w0:${EACH}`), ids.lastIndexOf(`w1:${EACH}`)));
    } finally {
      daemon.kill('SIGKILL');
    }
  });

  it('takes over the lock file a SIGKILLed old-bus agent left, once it is older than the stale threshold', async () => {
    const { file } = await project();
    const oldBus = startOldBus([file, 'py', '5', '3']);
    await oldBus.holding;
    oldBus.child.kill('SIGKILL');
    await oldBus.exited;
    const writer = startWorker('torture-writer.mjs', [file, 'w0', String(STALE_MS), '3', '0', 'project']);
    expect(await writer.exited, writer.stderr()).toBe(0);
    const recovered = writer.lines.filter((l) => l.startsWith('recovered '));
    expect(recovered).toHaveLength(1);
    expect(Number(recovered[0]!.split(' ')[1])).toBeGreaterThanOrEqual(STALE_MS);
    expect(writerOutcome([writer]).acknowledged).toEqual(['w0:1', 'w0:2', 'w0:3']);
    expect(await idsIn(file)).toEqual(['py:1', 'py:2', 'w0:1', 'w0:2', 'w0:3']);
  });
});
